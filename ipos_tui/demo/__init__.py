"""The demo shop: a deterministic Polish shop for demos, training and tests.

Production code does not import this package (an import-linter contract says so);
only ``ipos-tui demo`` and the back office's ``init --demo`` enter it.
"""
