"""5. Transakcje: the ledger, newest first, ☁ on every document not yet accepted by
the back office; Enter shows the document as printed."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from ...domain.money import format_money
from ...i18n import t
from ...sync.headless import reject_reason_text
from ...terminal.records import DocumentSummary, document_code, document_number_text
from ..printouts import document_label, show_printout, upload_mark
from ..widgets.receipt_list import fit
from .list_screen import NAVIGATION, ListScreen


def number_text(doc: DocumentSummary) -> str:
    """The number with its series' mark ("000012", "Z000001", "KO000003", "RD0001")."""
    return document_number_text(doc.doc_type, doc.number)


def signed_total(doc: DocumentSummary) -> int:
    """Money leaving the till (a return, a withdrawal) is shown negative."""
    leaves = doc.doc_type == "return" or (doc.doc_type == "cash_operation" and doc.kind == "out")
    return -doc.total if leaves else doc.total


class TransactionsScreen(ListScreen):
    TITLE_KEY = "menu.transactions"
    ID_PREFIX = "tx"

    BINDINGS = [
        Binding("enter,ctrl+j", "open", "keys.open", key_display="Enter"),
        Binding("z,Z", "return_goods", "ret.key_return", key_display="Z"),
        Binding("f,F", "invoice", "invoices2.key_invoice", key_display="F"),
        *NAVIGATION,
        Binding("escape", "back", "keys.back"),
        Binding("f1", "app.help", "keys.help"),
    ]

    #: cells of a row besides the cashier's name (mark, number, date, time, document, amount)
    FIXED = 58

    def cashier_width(self) -> int:
        """The cashier column gets what the width leaves (none below 68 columns, at most 32)."""
        width = min(self.row_width() - self.FIXED - 1, 32)
        return width if width >= 8 else 0

    def _cashier(self, name: str, width: int) -> str:
        return f"{fit(name, width):<{width}} " if width else ""

    def header(self) -> str:
        return (
            f"   {t('tx.number'):<8} {t('tx.date'):<10} {t('tx.time'):<5} {self._cashier(t('tx.cashier'), self.cashier_width())}"
            f"{t('tx.document'):<15} {t('tx.amount'):>12}"
        )

    def load(self) -> None:
        self.documents: list[DocumentSummary] = self.pos.terminal.ledger.list_documents(limit=500)
        width = self.cashier_width()  # measured once for all the rows
        self.rows.show_rows([self.row(doc, width) for doc in self.documents], 0)
        if not self.documents:
            self.say(t("tx.empty"))
        else:
            count, _oldest = self.pos.terminal.ledger.pending_summary()
            self.say(t("tx.unsent", n=count, cloud=self.pos.glyphs.cloud))

    def row(self, doc: DocumentSummary, cashier_width: int) -> Text:
        mark = upload_mark(self.pos, doc.upload_state)
        text = Text(no_wrap=True, overflow="crop")
        text.append(
            f" {mark} {number_text(doc):<8} {doc.created_local:%Y-%m-%d} {doc.created_local:%H:%M} "
            f"{self._cashier(doc.cashier_name, cashier_width)}{fit(document_label(doc.doc_type, doc.kind), 15):<15} "
            f"{format_money(signed_total(doc)):>12}"
        )
        if doc.upload_state == "quarantined" and doc.reject_reason:
            text.append(f"\n     {t('tx.quarantined', reason=fit(reject_reason_text(doc.reject_reason), 56))}", style="italic")
        return text

    def action_return_goods(self) -> None:
        """Z: a return of the highlighted receipt."""
        index = self.rows.highlighted
        if not self.documents or index is None:
            return
        doc = self.documents[index]
        info = self.pos.terminal.settings.terminal_info()
        if doc.doc_type != "receipt" or info is None:
            self.say(t("ret.not_return_row"), error=True)
            return
        from .returns import start_return

        start_return(self, document_code(info.terminal_id, doc.number))

    def action_invoice(self) -> None:
        """F: "Faktura do paragonu", an invoice for the highlighted receipt."""
        index = self.rows.highlighted
        if not self.documents or index is None:
            return
        doc = self.documents[index]
        info = self.pos.terminal.settings.terminal_info()
        if doc.doc_type != "receipt" or info is None:
            self.say(t("invoices2.not_receipt_row"), error=True)
            return
        from .invoice_for_receipt import start_invoice_for_receipt

        start_invoice_for_receipt(self, document_code(info.terminal_id, doc.number))

    def action_open(self) -> None:
        index = self.rows.highlighted
        if self.documents and index is not None:
            show_printout(self.pos, self.documents[index].uuid)
