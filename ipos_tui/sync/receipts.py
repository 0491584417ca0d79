"""Receipt lookup for returns: the back office's answer in the terminal's own terms.

:class:`~ipos_tui.till.returns.ReturnService` asks through a plain callable, whose
types live below both layers (:mod:`ipos_tui.domain.receipt_lookup`); this module
builds that callable on a :class:`SyncClient` and turns the wire answer and its
failures into what the return flow understands: a :class:`RemoteReceipt`, or
DomainError "ret.err.not_found" (404: missing, or another store's receipt, which the
back office no longer tells apart), "ret.err.other_store" (403, from an older back
office), "ret.err.offline" (no connection, the server failing) or
"ret.err.lookup_failed" (anything else, with the sync message key as ``reason``).
"""

from __future__ import annotations

from collections.abc import Callable

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.money import round_half_up
from ipos_tui.domain.quantity import QTY_SCALE
from ipos_tui.domain.receipt_code import ReceiptCode
from ipos_tui.protocol import DocumentLine as WireLine
from ipos_tui.protocol import Buyer as WireBuyer
from ipos_tui.protocol import ReceiptLookupResponse
from ipos_tui.sync.client import SyncClient
from ipos_tui.sync.errors import SyncError
from ipos_tui.domain.receipt_lookup import RemoteLookup, RemoteReceipt
from ipos_tui.domain.records import Buyer, DocumentLine, DocumentPayment
from ipos_tui.store.timeutil import to_local

#: Decimals of a quantity in a unit the terminal does not know (weights have 3).
_FALLBACK_PRECISION = 3


def _line(position: int, line: WireLine, precision_of: Callable[[str], int | None]) -> DocumentLine:
    """A wire line as a ledger line; every discount is the line's own on the wire."""
    precision = precision_of(line.unit)
    if precision is None:
        precision = 0 if line.qty % QTY_SCALE == 0 else _FALLBACK_PRECISION
    return DocumentLine(
        position=position,
        product_id=line.product_id,
        plu=line.plu or "",
        name=line.name,
        unit=line.unit,
        precision=precision,
        unit_price=line.unit_price,
        qty=line.qty,
        vat_letter=line.vat,
        gross=round_half_up(line.unit_price * line.qty, QTY_SCALE),
        line_discount=line.discount,
        receipt_discount=0,
        value=line.value,
    )


def remote_receipt(
    answer: ReceiptLookupResponse, precision_of: Callable[[str], int | None] = lambda _unit: None
) -> RemoteReceipt:
    """The lookup answer as the return flow reads it (local time, ledger-style lines)."""
    receipt = answer.receipt
    return RemoteReceipt(
        terminal_id=answer.terminal_id,
        number=answer.number,
        store_id=answer.store_id,
        created_local=to_local(receipt.created_at),
        lines=tuple(_line(i, line, precision_of) for i, line in enumerate(receipt.lines, start=1)),
        payments=tuple(
            DocumentPayment(p.method, p.method, p.amount, p.change) for p in receipt.payments
        ),
        returned={int(index): int(qty) for index, qty in answer.returned.items()},
        refunded={method: int(amount) for method, amount in answer.refunded.items()},
        invoice_number=receipt.invoice_number if receipt.kind == "faktura" else None,
        buyer=_buyer(receipt.buyer),
        later_invoice=(
            (answer.invoice.invoice_number, to_local(answer.invoice.issued_at), _buyer(answer.invoice.buyer))
            if answer.invoice is not None else None
        ),
    )


def _buyer(buyer: WireBuyer | None) -> Buyer | None:
    return None if buyer is None else Buyer(buyer.nip, buyer.name or "", buyer.address or "")


def receipt_lookup(
    client: SyncClient, precision_of: Callable[[str], int | None] = lambda _unit: None
) -> RemoteLookup:
    """A :data:`RemoteLookup` asking the back office through ``client``.

    ``precision_of(unit)`` gives the decimals of a unit the terminal knows (the wire
    line carries its unit by name only).
    """

    def lookup(receipt: ReceiptCode) -> RemoteReceipt:
        code = receipt.text
        try:
            answer = client.lookup_receipt(receipt.terminal_id, receipt.number, receipt.doc_type)
        except SyncError as error:
            if error.status == 404:
                raise DomainError("ret.err.not_found", code=code) from error
            if error.status == 403:  # an older back office; today's answers 404
                raise DomainError("ret.err.other_store", code=code) from error
            if error.status is None or error.status >= 500:
                raise DomainError("ret.err.offline", code=code) from error
            raise DomainError("ret.err.lookup_failed", code=code, reason=error.key) from error
        return remote_receipt(answer, precision_of)

    return lookup
