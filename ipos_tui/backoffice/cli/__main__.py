"""``python -m ipos_tui.backoffice.cli``: the same as ``ipos-backoffice``."""

import sys

from ipos_tui.backoffice.cli import main

sys.exit(main())
