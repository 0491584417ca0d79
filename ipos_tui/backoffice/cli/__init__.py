"""``ipos-backoffice``: the admin command line of the back office.

Every command goes through the same service layer as the HTTP API, so a command run
beside a serving back office is just another writer under the database lock.
``--db URL`` and ``--json`` are accepted before or after the subcommand. Exit codes:
0 done, 1 a rule refused the input (a readable reason is printed; ``--json`` gives the
message key and its parameters), 2 bad usage.

It speaks Polish under a Polish locale (LC_ALL, LC_MESSAGES, LANG) and English
otherwise (:mod:`ipos_tui.i18n.cli`). Prices and amounts are złoty written with a
decimal separator ("3,79", "379,00"); a price that changes more than
:data:`~ipos_tui.backoffice.services.pricelists.PRICE_JUMP_FACTOR` times either way is asked about
first (``--yes`` confirms it in scripts).

The commands are one table (:mod:`.table`) of :class:`~.commands.Command` entries, one
module per subject (:mod:`.setup`, :mod:`.stores`, :mod:`.catalogue`, :mod:`.users`,
:mod:`.transactions`, :mod:`.releases`); :mod:`.output` shows results, :mod:`.inputs`
reads amounts, days and confirmations, :mod:`.main` runs a command line.
"""

from ipos_tui.backoffice.cli.inputs import CliError
from ipos_tui.backoffice.cli.main import main, message
from ipos_tui.backoffice.cli.table import build_parser

__all__ = ["CliError", "build_parser", "main", "message"]
