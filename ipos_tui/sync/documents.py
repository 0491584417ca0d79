"""Ledger documents as the back office receives them (``POST /api/v1/transactions``).

The back office re-checks every pushed receipt against what was printed
(``ipos_tui.backoffice.ingest._check_totals``): each line's value must equal
``round_half_up(unit_price × qty / 1000) − discount``, the lines must add up to the
total, the per-letter sums to ``vat_totals`` and the tenders' ``amount − change`` to
the total. The ledger stores exactly those values, so the mapping copies them and
never recomputes a price: a receipt goes out as it was printed, even if the
catalogue changed since.

Wire conventions the mapping follows:

* ``vat_totals`` holds the GROSS of each VAT letter (the sum of its line values),
  not the VAT amount — that is what the back office compares;
* a line's ``discount`` is its own discount plus its share of a receipt discount;
* absent values are left out rather than sent as placeholders: the anonymous
  cashier (id 0) has no ``cashier_id``, a line without a PLU or catalogue product
  has no ``plu`` / ``product_id``;
* ``created_at`` is the UTC instant of the sale; the back office derives the
  shop's business day from it in Europe/Warsaw.

* ``kind`` is sent only for an invoice ("faktura") or a receipt with NIP
  ("paragon_nip"); a plain "paragon" is the wire default and is left out. Those two
  carry the ``buyer`` the ledger stored: its NIP (the ledger keeps the validated 10
  digits) and, when not empty, its name and address. The back office rejects an
  invoice without name and address and a NIP receipt without a NIP as malformed.

Other document types carry their type-specific fields in the ledger's ``extra``
(written once with the document):

* a return ("return") names its ``original`` receipt (terminal and number) and each
  line the ``original_line`` (0-based index in the original's lines) it gives back;
  its ``total`` is the amount refunded;
* a cash operation ("cash_operation") is ``kind`` in/out with the ``amount`` (the
  ledger's total), a ``purpose`` (opening / deposit / withdrawal) and a ``reason``;
* a cash report ("cash_report") is ``kind`` state/shift_close with ``cash`` (the
  ledger's total) and the sums it was counted from; a shift close also the cash
  ``counted`` in the drawer and its ``difference`` (sent even when 0);
* a daily report ("daily_report") sends its sums as stored, its ``vat_totals`` (net
  gross per letter) and ``vat_amounts`` from the ledger's VAT column: the VAT at the
  rates its documents were sold at (each receipt and return keeps them in ``extra``,
  ``vat_rates``; the protocol has no field for them on a receipt, so they stay on the
  till, and a back office of any version reads the report as before).

Every type may carry ``authorisations``: who allowed an action the cashier may not
do alone (a manager's identifier and PIN), as the ledger stored them in ``extra``
(``permission``, ``user_id``, ``identifier``, ``name``, ``at``, ``detail``). Left
out when there are none; a back office older than the field ignores it.

Payloads are built as plain dicts and are not validated here: a document the
protocol model would refuse (say, a name longer than the wire allows) is still
sent, so the back office keeps it in its quarantine where an administrator can
see it, and the terminal records the reason it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ipos_tui.domain.authorisation import EXTRA_KEY
from ipos_tui.protocol import ReceiptDocument
from ipos_tui.domain.records import Buyer, DocumentDetail, DocumentLine, DocumentPayment
from ipos_tui.store.vat_table import RATES_KEY

#: Ledger document types this module can put on the wire.
SUPPORTED_TYPES: Final = frozenset(
    {"receipt", "sale_invoice", "return", "cash_operation", "cash_report", "daily_report", "invoice"}
)


class UnsupportedDocument(ValueError):
    """A ledger document of a type the protocol mapping does not know (yet)."""

    def __init__(self, doc_type: str) -> None:
        super().__init__(f"no wire mapping for document type {doc_type!r}")
        self.doc_type = doc_type

    @property
    def reason(self) -> str:
        """Machine-readable reason, in the back office's ``word:detail`` style."""
        return f"unsupported_type:{self.doc_type}"


def document_payload(doc: DocumentDetail) -> dict[str, Any]:
    """The JSON-ready wire form of ``doc`` (one item of ``TransactionBatch.documents``).

    Raises :class:`UnsupportedDocument` for a document type without a mapping.
    """
    if doc.doc_type not in SUPPORTED_TYPES:
        raise UnsupportedDocument(doc.doc_type)
    payload: dict[str, Any] = {
        "type": doc.doc_type,
        "uuid": doc.uuid,
        "number": doc.number,
        "store_id": doc.store_id,
        "created_at": doc.created_utc.isoformat(),
    }
    if doc.cashier_id > 0:
        payload["cashier_id"] = doc.cashier_id
    if doc.cashier_name:
        payload["cashier_name"] = doc.cashier_name
    payload.update(_BODIES[doc.doc_type](doc))
    authorisations = doc.extra.get(EXTRA_KEY)
    if authorisations:
        payload["authorisations"] = [_authorisation(item) for item in authorisations]
    return payload


def _authorisation(item: dict[str, Any]) -> dict[str, Any]:
    """Who allowed what on the document, as the ledger stored it (the wire's keys)."""
    return {key: item[key] for key in _AUTHORISATION_FIELDS if item.get(key) not in (None, "", 0)}


#: The fields of an authorisation on the wire (protocol.Authorisation).
_AUTHORISATION_FIELDS: Final = ("permission", "user_id", "identifier", "name", "at", "detail")


def _receipt_body(doc: DocumentDetail) -> dict[str, Any]:
    body = _sale_body(doc)
    if doc.kind != "paragon":
        body["kind"] = doc.kind
    if doc.buyer is not None and doc.kind != "paragon":
        body["buyer"] = _buyer(doc.buyer)
    deposit = doc.extra.get("deposit")
    if deposit:  # the deposits charged ("kaucja"): outside the total, in the payments
        body["deposit"] = deposit["total"]
        body["deposit_lines"] = [
            {key: item[key] for key in ("name", "product_id", "qty", "unit", "value")
             if item.get(key) is not None}
            for item in deposit["lines"]
        ]
    if doc.invoice_number:
        body["invoice_number"] = doc.invoice_number
    return body


def _sale_body(doc: DocumentDetail) -> dict[str, Any]:
    """Lines, tenders, total and gross per VAT letter: a receipt's or a return's,
    with the rates its letters were sold at when the ledger kept them."""
    body: dict[str, Any] = {
        "lines": [_line(line) for line in doc.lines],
        "payments": [_payment(payment) for payment in doc.payments],
        "total": doc.total,
        "vat_totals": {letter: item.gross for letter, item in sorted(doc.vat.items())},
    }
    rates = doc.extra.get(RATES_KEY)
    if rates and doc.doc_type != "invoice":
        body["vat_rates"] = dict(sorted(rates.items()))
    return body


def _return_body(doc: DocumentDetail) -> dict[str, Any]:
    body = _sale_body(doc)
    original = doc.extra.get("original")
    if original:
        body["original"] = {"terminal_id": original["terminal_id"], "number": original["number"]}
        if original.get("type", "receipt") != "receipt":  # a return of a Faktura
            body["original"]["type"] = original["type"]
    correction = doc.extra.get("correction")
    if doc.invoice_number and correction:  # a return against an invoice: its correcting invoice
        body["correction_number"] = doc.invoice_number
        body["corrected_invoice"] = correction["invoice_number"]
        if doc.buyer is not None:
            body["buyer"] = _buyer(doc.buyer)
    return body


def _invoice_body(doc: DocumentDetail) -> dict[str, Any]:
    """An invoice for an earlier receipt: the receipt's sale, copied, and the receipt."""
    body = _sale_body(doc)
    receipt = doc.extra.get("receipt") or {}
    body["invoice_number"] = doc.invoice_number
    body["receipt"] = {"terminal_id": receipt.get("terminal_id"), "number": receipt.get("number")}
    if doc.buyer is not None:
        body["buyer"] = _buyer(doc.buyer)
    return body


def _cash_operation_body(doc: DocumentDetail) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": doc.kind, "amount": doc.total}
    for name in ("purpose", "reason"):
        if doc.extra.get(name):
            body[name] = doc.extra[name]
    return body


def _cash_report_body(doc: DocumentDetail) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": doc.kind, "cash": doc.total}
    for name in ("opening", "cash_sales", "cash_refunds", "deposits", "withdrawals", "shift_started_at"):
        if doc.extra.get(name):
            body[name] = doc.extra[name]
    for name in ("counted", "difference"):  # a shift close's count: 0 is a count too
        if doc.extra.get(name) is not None:
            body[name] = doc.extra[name]
    return body


def _daily_report_body(doc: DocumentDetail) -> dict[str, Any]:
    body: dict[str, Any] = {
        "total": doc.total,
        "vat_totals": {letter: item.gross for letter, item in sorted(doc.vat.items())},
        "vat_amounts": {letter: item.vat for letter, item in sorted(doc.vat.items())},
    }
    for name, value in doc.extra.items():
        if name in _DAILY_REPORT_FIELDS and value is not None:
            body[name] = value
    return body


#: The daily report's sums sent as the ledger stored them in ``extra``.
_DAILY_REPORT_FIELDS: Final = frozenset({
    "day", "receipts", "receipts_total", "returns", "returns_total", "payments", "cash_in",
    "cash_out", "voids", "voids_total", "first_receipt_at", "last_receipt_at",
    "deposits_collected", "deposits_returned", "invoices", "invoices_total",
})

_BODIES: Final[dict[str, Callable[[DocumentDetail], dict[str, Any]]]] = {
    "receipt": _receipt_body,
    "sale_invoice": _receipt_body,
    "return": _return_body,
    "cash_operation": _cash_operation_body,
    "cash_report": _cash_report_body,
    "daily_report": _daily_report_body,
    "invoice": _invoice_body,
}


def receipt_document(doc: DocumentDetail) -> ReceiptDocument:
    """``doc`` parsed into the protocol model (raises pydantic's ValidationError when
    the protocol would refuse it) — for callers that want the typed form."""
    return ReceiptDocument.model_validate(document_payload(doc))


def _line(line: DocumentLine) -> dict[str, Any]:
    """One sold item with the values it had at sale time."""
    item: dict[str, Any] = {
        "name": line.name,
        "unit": line.unit,
        "vat": line.vat_letter,
        "unit_price": line.unit_price,
        "qty": line.qty,
        "value": line.value,
    }
    if line.discount:
        item["discount"] = line.discount
    if line.plu:
        item["plu"] = line.plu
    if line.product_id is not None and line.product_id > 0:
        item["product_id"] = line.product_id
    if line.original_line is not None:
        item["original_line"] = line.original_line
    return item


def _buyer(buyer: Buyer) -> dict[str, Any]:
    """The customer of an invoice or NIP receipt; empty name / address left out."""
    item: dict[str, Any] = {"nip": buyer.nip}
    if buyer.name:
        item["name"] = buyer.name
    if buyer.address:
        item["address"] = buyer.address
    return item


def _payment(payment: DocumentPayment) -> dict[str, Any]:
    """One tender: the method's code, what was handed over, the change given back."""
    item: dict[str, Any] = {"method": payment.method, "amount": payment.amount}
    if payment.change:
        item["change"] = payment.change
    return item
