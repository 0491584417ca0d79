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

Payloads are built as plain dicts and are not validated here: a document the
protocol model would refuse (say, a name longer than the wire allows) is still
sent, so the back office keeps it in its quarantine where an administrator can
see it, and the terminal records the reason it was given.
"""

from __future__ import annotations

from typing import Any, Final

from ipos_tui.protocol import ReceiptDocument
from ipos_tui.terminal.records import Buyer, DocumentDetail, DocumentLine, DocumentPayment

#: Ledger document types this module can put on the wire.
SUPPORTED_TYPES: Final = frozenset({"receipt"})


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
        "type": "receipt",
        "uuid": doc.uuid,
        "number": doc.number,
        "store_id": doc.store_id,
        "created_at": doc.created_utc.isoformat(),
        "lines": [_line(line) for line in doc.lines],
        "payments": [_payment(payment) for payment in doc.payments],
        "total": doc.total,
        "vat_totals": {letter: item.gross for letter, item in sorted(doc.vat.items())},
    }
    if doc.cashier_id > 0:
        payload["cashier_id"] = doc.cashier_id
    if doc.cashier_name:
        payload["cashier_name"] = doc.cashier_name
    if doc.kind != "paragon":
        payload["kind"] = doc.kind
    if doc.buyer is not None and doc.kind != "paragon":
        payload["buyer"] = _buyer(doc.buyer)
    return payload


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
