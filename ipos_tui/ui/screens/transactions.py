"""5. Transakcje: the ledger, newest first, ☁ on every document not yet accepted by
the back office; Enter shows the document as printed.

Under a quarantined document, why. A document the till holds back because the back
office keeps failing on it keeps its ☁ (it is unsent and retried at every sync) and
says so; one the back office answered "uuid_conflict" shows both versions in short
(number, total, lines of the till's and of the back office's), and Enter shows them
line by line."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding

from ...domain.money import format_money
from ...domain.quantity import QTY_SCALE, format_quantity
from ...i18n import t
from ...i18n.reasons import reject_reason_text
from ...till.syncing import is_held
from ...domain.records import SALE_TYPES, DocumentSummary, document_code, document_number_text
from .printouts import document_label, show_printout, upload_mark
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
        Binding("enter,ctrl+j", "open", "keys.open", key_display="Enter", id="TransactionsScreen.open"),
        Binding("z,Z", "return_goods", "ret.key_return", key_display="Z", id="TransactionsScreen.return_goods"),
        Binding("f,F", "invoice", "invoices2.key_invoice", key_display="F", id="TransactionsScreen.invoice"),
        *NAVIGATION,
        Binding("escape", "back", "keys.back", id="TransactionsScreen.back"),
        Binding("f1", "app.help", "keys.help", id="TransactionsScreen.app_help"),
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
        ledger = self.pos.terminal.ledger
        self.documents: list[DocumentSummary] = ledger.list_documents(limit=500)
        self.conflicts = ledger.upload_conflicts(
            doc.uuid for doc in self.documents if doc.reject_reason == CONFLICT)
        width = self.cashier_width()  # measured once for all the rows
        self.rows.show_rows([self.row(doc, width) for doc in self.documents], 0)
        if not self.documents:
            self.say(t("tx.empty"))
        else:
            count, _oldest = self.pos.terminal.ledger.pending_summary()
            self.say(t("tx.unsent", n=count, cloud=self.pos.glyphs.cloud))

    def row(self, doc: DocumentSummary, cashier_width: int) -> Text:
        held = doc.upload_state == "quarantined" and is_held(doc.reject_reason)
        mark = upload_mark(self.pos, "pending" if held else doc.upload_state)
        text = Text(no_wrap=True, overflow="crop")
        text.append(
            f" {mark} {number_text(doc):<8} {doc.created_local:%Y-%m-%d} {doc.created_local:%H:%M} "
            f"{self._cashier(doc.cashier_name, cashier_width)}{fit(document_label(doc.doc_type, doc.kind, doc.purpose), 15):<15} "
            f"{format_money(signed_total(doc)):>12}"
        )
        room = max(20, self.row_width() - 6)
        if held:
            text.append(f"\n     {fit(t('tillsync.held_row', reason=reject_reason_text(doc.reject_reason or '')), room)}",
                        style="italic")
        elif doc.upload_state == "quarantined" and doc.reject_reason:
            text.append(f"\n     {t('tx.quarantined', reason=fit(reject_reason_text(doc.reject_reason), 56))}", style="italic")
            remote = self.conflicts.get(doc.uuid) if doc.reject_reason == CONFLICT else None
            if remote is not None:
                text.append(f"\n     {fit(self._versions(doc, remote), room)}", style="italic")
        return text

    def _versions(self, doc: DocumentSummary, remote: dict[str, Any]) -> str:
        """The till's and the back office's version of a "uuid_conflict" in one line."""
        lines = len(self.pos.terminal.ledger.get_document(doc.uuid).lines)
        return t("tillsync.conflict_versions", number=number_text(doc),
                 total=format_money(doc.total), lines=lines,
                 remote_number=document_number_text(str(remote.get("type", doc.doc_type)),
                                                    int(remote.get("number", 0))),
                 remote_total=format_money(int(remote.get("total", 0))),
                 remote_lines=int(remote.get("line_count", 0)))

    def show_conflict(self, doc: DocumentSummary, remote: dict[str, Any]) -> None:
        """Both versions of a document the back office holds with other content."""
        from ..dialogs import TextViewDialog

        detail = self.pos.terminal.ledger.get_document(doc.uuid)
        out = [t("tillsync.conflict_till", number=number_text(doc),
                 total=format_money(detail.total), lines=len(detail.lines))]
        out += [_line_text(line.name, line.qty, line.value) for line in detail.lines]
        out += ["", t("tillsync.conflict_office",
                      number=document_number_text(str(remote.get("type", doc.doc_type)),
                                                  int(remote.get("number", 0))),
                      total=format_money(int(remote.get("total", 0))),
                      lines=int(remote.get("line_count", 0)))]
        shown = remote.get("lines") or []
        out += [_line_text(str(line.get("name", "")), int(line.get("qty", 0)),
                           int(line.get("value", 0))) for line in shown]
        if int(remote.get("line_count", 0)) > len(shown):
            out.append(t("tillsync.conflict_more", n=int(remote["line_count"]) - len(shown)))
        out += ["", t("tillsync.conflict_hint")]
        self.app.push_screen(TextViewDialog(t("tillsync.conflict_title"), "\n".join(out)))

    def action_return_goods(self) -> None:
        """Z: a return of the highlighted receipt."""
        index = self.rows.highlighted
        if not self.documents or index is None:
            return
        doc = self.documents[index]
        info = self.pos.terminal.settings.terminal_info()
        if doc.doc_type not in SALE_TYPES or info is None:
            self.say(t("ret.not_return_row"), error=True)
            return
        from .returns import start_return

        start_return(self, document_code(info.terminal_id, doc.number, doc.doc_type))

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
            doc = self.documents[index]
            remote = self.conflicts.get(doc.uuid) if doc.upload_state == "quarantined" else None
            if remote is not None and doc.reject_reason == CONFLICT:
                self.show_conflict(doc, remote)
                return
            show_printout(self.pos, doc.uuid)


#: The back office's reason for a uuid it holds with other content.
CONFLICT = "uuid_conflict"


def _line_text(name: str, qty: int, value: int) -> str:
    """One line of a version: name, quantity (as many decimals as it has), value."""
    precision = 0 if qty % QTY_SCALE == 0 else 3
    return f"  {fit(name, 36):<36} {format_quantity(qty, precision):>9} {format_money(value):>12}"
