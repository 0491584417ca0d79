"""Printing (to the printout log) and showing stored documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...i18n import t
from ...domain.records import PURPOSE_DEPOSIT_RETURN, DocumentDetail, document_number_text

if TYPE_CHECKING:
    from ..app import IposApp


def print_document(app: IposApp, uuid: str) -> None:
    """Print a just-finished document on the fiscal printer, which journals it in its
    electronic copy (EJ), and write the same text to the data dir."""
    app.till.printouts.print_document(uuid, app.clock(), app.data_dir)


#: catalogue keys of the document kinds the ledger stores
KIND_KEYS = {"paragon": "doc.paragon", "faktura": "doc.faktura", "paragon_nip": "doc.paragon_nip"}


def kind_label(kind: str) -> str:
    """"Paragon", "Faktura", "Paragon z NIP" in the UI language."""
    return t(KIND_KEYS.get(kind, "doc.paragon"))


def document_label(doc_type: str, kind: str, purpose: str = "") -> str:
    """"Paragon", "Faktura", … "Zwrot", "Raport dobowy", or a cash document's
    "Wpłata", "Wypłata", "Zwrot kaucji" (a payout whose ``purpose`` is a deposit return)…"""
    if purpose == PURPOSE_DEPOSIT_RETURN:
        return t("grocery.deposit_return")
    if doc_type == "return":
        return t("ret.doc")
    if doc_type == "invoice":
        return t("invoices2.doc_label")
    if doc_type == "daily_report":
        return t("day.list_label")
    from .cash_results import cash_document_label

    return cash_document_label(doc_type, kind) or kind_label(kind)


def document_title(detail: DocumentDetail) -> str:
    """"Faktura nr 000003", "Zwrot nr Z000001", "Wypłata nr KO000002" …"""
    number = document_number_text(detail.doc_type, detail.number)
    if detail.invoice_number and detail.doc_type != "return":  # an invoice goes by its series
        number = detail.invoice_number
    purpose = detail.extra.get("purpose", "")
    label = document_label(detail.doc_type, detail.kind, purpose if isinstance(purpose, str) else "")
    return t("doc.titled", label=label, number=number)


def upload_mark(app: IposApp, state: str) -> str:
    """☁ until the back office accepted it, ✓ after, ✗ when quarantined."""
    g = app.glyphs
    return {"pending": g.cloud, "sent": g.ok, "quarantined": g.failed}.get(state, g.cloud)


def show_printout(app: IposApp, uuid: str, *, just_printed: bool = False) -> None:
    """Show a stored document as printed, with its upload state in the title; one
    ``just_printed`` opens at its end, where the payment and the change are."""
    from ..dialogs import TextViewDialog

    detail, text = app.till.printouts.render(uuid)
    state = detail.upload_state  # type: ignore[attr-defined]
    title = f"{document_title(detail)} {upload_mark(app, state)} {t('upload.' + state)}"
    app.push_screen(TextViewDialog(title, text, at_end=just_printed))
