"""5. Transakcje: the ledger, newest first, ☁ on every document not yet accepted by
the back office; Enter shows the document as printed."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from ...domain.money import format_money
from ...i18n import t
from ...terminal.records import DocumentSummary
from ..printouts import kind_label, show_printout, upload_mark
from ..widgets.receipt_list import fit
from .list_screen import NAVIGATION, ListScreen


class TransactionsScreen(ListScreen):
    TITLE_KEY = "menu.transactions"
    ID_PREFIX = "tx"

    BINDINGS = [
        Binding("enter,ctrl+j", "open", "keys.open", key_display="Enter"),
        *NAVIGATION,
        Binding("escape", "back", "keys.back"),
        Binding("f1", "app.help", "keys.help"),
    ]

    def header(self) -> str:
        return (
            f"   {t('tx.number'):<7} {t('tx.date'):<10} {t('tx.time'):<5} {t('tx.cashier'):<16} "
            f"{t('tx.document'):<15} {t('tx.amount'):>12}"
        )

    def load(self) -> None:
        self.documents: list[DocumentSummary] = self.pos.terminal.ledger.list_documents(limit=500)
        self.rows.show_rows([self.row(doc) for doc in self.documents], 0)
        if not self.documents:
            self.say(t("tx.empty"))
        else:
            count, _oldest = self.pos.terminal.ledger.pending_summary()
            self.say(t("tx.unsent", n=count, cloud=self.pos.glyphs.cloud))

    def row(self, doc: DocumentSummary) -> Text:
        mark = upload_mark(self.pos, doc.upload_state)
        text = Text(no_wrap=True, overflow="crop")
        text.append(
            f" {mark} {doc.number:06d}  {doc.created_local:%Y-%m-%d} {doc.created_local:%H:%M} "
            f"{fit(doc.cashier_name, 16):<16} {fit(kind_label(doc.kind), 15):<15} "
            f"{format_money(doc.total):>12}"
        )
        if doc.upload_state == "quarantined" and doc.reject_reason:
            text.append(f"\n     {t('tx.quarantined', reason=fit(doc.reject_reason, 56))}", style="italic")
        return text

    def action_open(self) -> None:
        index = self.rows.highlighted
        if self.documents and index is not None:
            show_printout(self.pos, self.documents[index].uuid)
