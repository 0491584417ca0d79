"""iPOS web's Transakcje lists invoices (issue 14 item 3): the "Faktury" filter shows
invoices sold at the till, invoices for earlier receipts and correcting invoices with
their numbers, and nothing else; an invoice for a receipt is named as such."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "backoffice"))

from backoffice_support import TerminalClient  # noqa: E402
from web_support import WebClient, main_text  # noqa: E402

from ipos_tui.backoffice.services import BackOffice  # noqa: E402

NIP = "5260250995"
BUYER = {"nip": NIP, "name": "Firma Test", "address": "ul. Prosta 1"}


def _doc(doc_type: str, number: int, product: dict[str, Any], **extra: Any) -> dict[str, Any]:
    line = {"name": product["name"], "plu": product["plu"], "product_id": product["id"],
            "vat": product["vat"], "unit_price": 500, "qty": 1000, "value": 500, **extra.pop("line", {})}
    return {"type": doc_type, "uuid": str(uuid.uuid4()), "number": number, "store_id": 1,
            "created_at": datetime.now(UTC).isoformat(), "cashier_identifier": "1002",
            "lines": [line], "total": 500, "vat_totals": {product["vat"]: 500},
            "payments": [{"method": "gotowka", "amount": 500, "change": 0}], **extra}


def test_the_invoices_filter_lists_every_invoice_with_its_number(
    office: BackOffice, web_url: str, owner: WebClient
) -> None:
    _, code = office.add_terminal(1, "Kasa 1")
    till = TerminalClient.activate(web_url, code, "Kasa 1")
    k = till.terminal_id
    product = office.list_products()[0]
    docs = [
        _doc("receipt", 1, product),
        _doc("receipt", 2, product, kind="faktura", buyer=BUYER, invoice_number=f"FV/K{k}/12/2026/0001"),
        _doc("receipt", 3, product, kind="paragon_nip", buyer={"nip": NIP}),
        _doc("invoice", 1, product, buyer=BUYER, invoice_number=f"FV/K{k}/12/2026/0002",
             receipt={"terminal_id": k, "number": 3}),
        _doc("return", 1, product, line={"original_line": 0},
             original={"terminal_id": k, "number": 2}, correction_number=f"FK/K{k}/12/2026/0001",
             corrected_invoice=f"FV/K{k}/12/2026/0001", buyer=BUYER),
    ]
    try:
        assert [r["status"] for r in till.push(docs)] == ["accepted"] * 5
    finally:
        till.close()
    text = main_text(owner.get("/transactions?kind=invoices").text)
    assert "Dokumentów: 3" in text
    assert f"000002 Faktura FV/K{k}/12/2026/0001" in text
    assert f"FP000001 Faktura do paragonu FV/K{k}/12/2026/0002" in text
    assert f"Z000001 Zwrot FK/K{k}/12/2026/0001" in text
    assert "000001 Paragon" not in text and "000003 Paragon z NIP" not in text
    # all documents: the invoice for the receipt is listed, the receipts stay receipts
    assert "Dokumentów: 5" in main_text(owner.get("/transactions").text)
    # the filter is offered in the kind select
    assert '<option value="invoices" selected>Faktury (i korygujące)</option>' in owner.get(
        "/transactions?kind=invoices").text
