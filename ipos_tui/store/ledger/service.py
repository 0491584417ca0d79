"""The ledger: finished documents, durable the moment the cashier finishes them.

A receipt is committed in ONE ``BEGIN IMMEDIATE`` transaction (with
``synchronous=FULL`` the commit is on disk when it returns): the next gapless
number, the document, its own copies of every line, the payments, the VAT per
letter, the upload state and the local sales statistics. Either all of it is
stored or none of it, so a failure never burns a number. Nothing here deletes
or rewrites a stored document; SQLite triggers refuse it even if someone tried.
"""


from __future__ import annotations

from ipos_tui.store.ledger.commit import Committing
from ipos_tui.store.ledger.upload import UploadBook
from ipos_tui.store.ledger.voids import Voids


class LedgerService(Committing, UploadBook, Voids):
    """Commits and reads ledger documents and keeps their upload state.

    Its parts live by subject: ``commit`` (with ``numbering`` and ``fiscal_day``),
    ``reading``, ``upload`` and ``voids``; all share :class:`~.base.LedgerBase`.
    """
