"""VAT per letter with any PTU table (not only the default one), against a Decimal hand
calculation: gross summed per letter, VAT = gross × r / (100 + r), rounded half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.vat import (
    MAX_RATE_BP, PTU_LETTERS, check_vat_rate, parse_vat_rate, rate_text, vat_totals,
)

rate_st = st.one_of(st.none(), st.integers(0, MAX_RATE_BP))
table_st = st.dictionaries(st.sampled_from(PTU_LETTERS), rate_st, min_size=1)


def by_hand(gross: int, rate_bp: int | None) -> int:
    if not rate_bp:
        return 0
    vat = Decimal(gross) * Decimal(rate_bp) / (Decimal(10_000) + Decimal(rate_bp))
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(table=table_st, data=st.data())
def test_vat_totals_with_any_table_match_decimal(table, data) -> None:
    letters = sorted(table)
    lines = data.draw(st.lists(st.tuples(st.sampled_from(letters), st.integers(1, 10_000_00)),
                               min_size=1, max_size=30))
    totals = vat_totals(lines, table)
    for letter, total in totals.items():
        gross = sum(g for name, g in lines if name == letter)
        assert total.gross == gross
        assert total.vat == by_hand(gross, table[letter])


def test_a_changed_rate_changes_the_vat() -> None:
    lines = [("C", 10_500)]
    assert vat_totals(lines, {"C": 500})["C"].vat == 500
    assert vat_totals(lines, {"C": 0})["C"].vat == 0


def test_letter_missing_from_the_table_is_refused() -> None:
    with pytest.raises(DomainError):
        vat_totals([("F", 100)], {"A": 2300})


@given(st.integers(0, MAX_RATE_BP))
def test_parse_reads_what_rate_text_writes(rate_bp) -> None:
    assert parse_vat_rate("A", rate_text(rate_bp)) == rate_bp


@pytest.mark.parametrize(("letter", "rate"), [("H", 500), ("C", -100), ("C", 10_000)])
def test_check_refuses_what_the_printer_refuses(letter, rate) -> None:
    with pytest.raises(DomainError):
        check_vat_rate(letter, rate)
