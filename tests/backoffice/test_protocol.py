"""The wire models shared with the terminal: compact, tolerant, versioned."""

from __future__ import annotations

import pytest
from backoffice_support import make_receipt
from pydantic import ValidationError

from ipos_tui.protocol import (
    DATA_MODELS,
    DOCUMENT_ADAPTER,
    OLDEST_PROTOCOL_VERSION,
    PREVIOUS_PROTOCOL_VERSION,
    PROTOCOL_VERSION,
    STREAM_TYPES,
    SUPPORTED_PROTOCOL_VERSIONS,
    ActivateResponse,
    ProductData,
    ReceiptDocument,
    ReturnDocument,
    TransactionResult,
)


def test_versions() -> None:
    assert PREVIOUS_PROTOCOL_VERSION == PROTOCOL_VERSION - 1
    assert {PREVIOUS_PROTOCOL_VERSION, PROTOCOL_VERSION} <= SUPPORTED_PROTOCOL_VERSIONS
    # DESIGN.md: the current and the previous version are served, older ones get 426.
    assert SUPPORTED_PROTOCOL_VERSIONS == set(range(OLDEST_PROTOCOL_VERSION,
                                                    PROTOCOL_VERSION + 1)) == {2, 3}


def test_every_change_type_has_a_payload_model() -> None:
    types = [t for stream in STREAM_TYPES.values() for t in stream]
    assert sorted(types) == sorted(DATA_MODELS) and len(set(types)) == len(types)


def test_compact_payload_gets_its_defaults_back() -> None:
    product = ProductData.model_validate({"name": "Chleb", "plu": "1", "vat": "C",
                                          "unit_id": 1})
    assert (product.kind, product.open_price, product.active, product.category_id) == (
        "good", False, True, None)


def test_to_wire_leaves_out_none() -> None:
    result = TransactionResult(index=0, uuid="u", status="accepted")
    assert result.to_wire() == {"index": 0, "uuid": "u", "status": "accepted"}
    assert ActivateResponse(terminal_id=1, store_id=2, token="t").to_wire()["numbers"] == {}


def test_documents_are_told_apart_by_type_and_extra_fields_are_ignored() -> None:
    receipt = make_receipt(1, 1)
    receipt["from_a_newer_terminal"] = True
    assert isinstance(DOCUMENT_ADAPTER.validate_python(receipt), ReceiptDocument)
    receipt["type"] = "return"
    assert isinstance(DOCUMENT_ADAPTER.validate_python(receipt), ReturnDocument)
    receipt["type"] = "invoice"
    with pytest.raises(ValidationError):
        DOCUMENT_ADAPTER.validate_python(receipt)


def test_money_and_quantities_are_integers_in_range() -> None:
    receipt = make_receipt(1, 1)
    receipt["lines"][0]["unit_price"] = 4.99
    with pytest.raises(ValidationError):
        DOCUMENT_ADAPTER.validate_python(receipt)
    receipt = make_receipt(1, 1)
    receipt["lines"][0]["qty"] = 0
    with pytest.raises(ValidationError):
        DOCUMENT_ADAPTER.validate_python(receipt)
