"""NIP, barcodes, PLU, product names and code classification.

Bad input tried: NIPs with a wrong check digit, too short or long, with letters,
all zeros or a foreign prefix; barcodes with wrong check digits, GTIN-14, 9–11 and
1–5 digits, letters, non-ASCII digits; PLUs with a leading zero, ten digits,
letters or empty; product names empty, too long, with quotes, emoji, tabs,
non-Polish diacritics; codes with letters, signs, 10–11 and over 13 digits.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import ean

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.validation import (
    MAX_BARCODES,
    classify_code,
    format_nip,
    is_valid_barcode,
    product_name_key,
    validate_barcode,
    validate_barcodes,
    validate_nip,
    validate_plu,
    validate_product_name,
)

FAST = settings(max_examples=200, deadline=None)

EAN13 = "5901234123457"
EAN8 = "96385074"
UPCA = "036000291452"


class TestNip:
    @pytest.mark.parametrize(
        "text",
        [
            "1234563218",
            "123-456-32-18",
            "123 456 32 18",
            "PL1234563218",
            "pl 123-456-32-18",
            " 1234563218 ",
        ],
    )
    def test_accepted(self, text: str) -> None:
        assert validate_nip(text) == "1234563218"

    @pytest.mark.parametrize(
        "text",
        [
            "1234563219",
            "123456321",
            "12345632188",
            "",
            "abcdefghij",
            "0000000000",
            "DE1234563218",
            "12345632l8",
            "１２３４５６３２１８",
        ],
    )
    def test_rejected(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            validate_nip(text)
        assert (info.value.key, info.value.params) == ("err.nip_invalid", {"text": text})

    def test_format(self) -> None:
        assert format_nip("1234563218") == "123-456-32-18"


class TestBarcode:
    @pytest.mark.parametrize(
        "code", [EAN13, EAN8, UPCA, "123456", "1234567", "0123456", " 5901234123457 "]
    )
    def test_valid(self, code: str) -> None:
        assert is_valid_barcode(code)
        assert validate_barcode(code) == code.strip()

    @pytest.mark.parametrize(
        "code",
        [
            "5901234123458",  # wrong check digit
            "96385075",
            "036000291453",
            "15901234123454",  # GTIN-14 with a valid check digit
            "12345",
            "123456789",
            "1234567890",
            "12345678901",
            "59012341234570",
            "",
            "590123412345A",
            "٥٩٠١٢٣٤١٢٣٤٥٧",
        ],
    )
    def test_invalid(self, code: str) -> None:
        assert not is_valid_barcode(code)
        with pytest.raises(DomainError) as info:
            validate_barcode(code)
        assert (info.value.key, info.value.params) == ("err.barcode_invalid", {"code": code})

    def test_gtin14_really_has_a_valid_check_digit(self) -> None:
        assert ean.is_valid("15901234123454")

    @FAST
    @given(st.sampled_from([7, 11, 12]), st.data())
    def test_computed_check_digit_accepted_and_wrong_one_refused(
        self, body_len: int, data: st.DataObject
    ) -> None:
        body = data.draw(st.text("0123456789", min_size=body_len, max_size=body_len))
        check = ean.calc_check_digit(body)
        assert is_valid_barcode(body + check)
        wrong = str((int(check) + data.draw(st.integers(1, 9))) % 10)
        assert not is_valid_barcode(body + wrong)

    def test_product_barcode_list(self) -> None:
        assert validate_barcodes([EAN13, "123456"]) == [EAN13, "123456"]
        assert validate_barcodes([]) == []

    def test_product_barcode_list_duplicate(self) -> None:
        with pytest.raises(DomainError) as info:
            validate_barcodes([EAN13, EAN8, EAN13])
        assert (info.value.key, info.value.params) == ("err.barcode_duplicate", {"code": EAN13})

    def test_product_barcode_list_too_many(self) -> None:
        codes = [f"{100000 + i}" for i in range(MAX_BARCODES)]
        assert validate_barcodes(codes) == codes
        with pytest.raises(DomainError) as info:
            validate_barcodes([*codes, "200000"])
        assert (info.value.key, info.value.params) == (
            "err.barcodes_too_many",
            {"max": MAX_BARCODES},
        )

    def test_product_barcode_list_bad_code(self) -> None:
        with pytest.raises(DomainError) as info:
            validate_barcodes([EAN13, "12"])
        assert info.value.key == "err.barcode_invalid"


class TestPlu:
    @pytest.mark.parametrize(
        ("text", "plu"), [("1", "1"), ("123", "123"), ("999999999", "999999999"), (" 42 ", "42")]
    )
    def test_valid(self, text: str, plu: str) -> None:
        assert validate_plu(text) == plu

    @pytest.mark.parametrize("text", ["", "0", "0123", "1234567890", "12a", "-1", "1.5", "٣"])
    def test_invalid(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            validate_plu(text)
        assert (info.value.key, info.value.params) == ("err.plu_invalid", {"plu": text})


class TestProductName:
    @pytest.mark.parametrize(
        ("name", "clean"),
        [
            ("Mleko 2% 1l", "Mleko 2% 1l"),
            ("  Żółw pluszowy  ", "Żółw pluszowy"),
            ("ZAŻÓŁĆ GĘŚLĄ JAŹŃ zażółć gęślą jaźń", "ZAŻÓŁĆ GĘŚLĄ JAŹŃ zażółć gęślą jaźń"),
            ("Sok 0,5 l / 12 szt.", "Sok 0,5 l / 12 szt."),
            ("x" * 40, "x" * 40),
        ],
    )
    def test_valid(self, name: str, clean: str) -> None:
        assert validate_product_name(name) == clean

    @pytest.mark.parametrize("name", ["", "    "])
    def test_empty(self, name: str) -> None:
        with pytest.raises(DomainError) as info:
            validate_product_name(name)
        assert (info.value.key, info.value.params) == ("err.name_empty", {})

    def test_too_long(self) -> None:
        with pytest.raises(DomainError) as info:
            validate_product_name("x" * 41)
        assert (info.value.key, info.value.params) == ("err.name_too_long", {"max": 40})

    @pytest.mark.parametrize(
        ("name", "char"),
        [
            ('Sok "Tymbark"', '"'),
            ("Piwo-jasne", "-"),
            ("Crème", "è"),
            ("Kawa\tczarna", "\t"),
            ("Tort 🎂", "🎂"),
            ("Ser (żółty)", "("),
        ],
    )
    def test_bad_chars(self, name: str, char: str) -> None:
        with pytest.raises(DomainError) as info:
            validate_product_name(name)
        assert (info.value.key, info.value.params) == ("err.name_chars", {"char": char})

    def test_name_key_is_case_insensitive(self) -> None:
        assert product_name_key(" ŻÓŁW ") == product_name_key("żółw")
        assert product_name_key("Mleko") != product_name_key("Mleko 2%")


class TestClassifyCode:
    @pytest.mark.parametrize(
        ("text", "kind"),
        [
            ("1", "plu"),
            ("12345", "plu"),
            ("123456", "plu"),  # could be an in-store barcode too: caller tries both
            ("1234567", "plu"),
            ("123456789", "plu"),
            ("0123456", "barcode"),  # leading 0: only an in-store barcode
            ("012345", "barcode"),
            (EAN8, "barcode"),
            ("00000000", "barcode"),
            (UPCA, "barcode"),
            (EAN13, "barcode"),
            ("5901234123458", "barcode"),  # wrong check digit is "not found" later
            (" 42 ", "plu"),
        ],
    )
    def test_kinds(self, text: str, kind: str) -> None:
        assert classify_code(text) == kind

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "abc",
            "12a",
            "-1",
            "0",
            "012",
            "012345678",
            "1234567890",
            "12345678901",
            "15901234123454",
            "1" * 20,
            "٣",
        ],
    )
    def test_invalid(self, text: str) -> None:
        with pytest.raises(DomainError) as info:
            classify_code(text)
        assert (info.value.key, info.value.params) == ("err.code_invalid", {"code": text})

    @FAST
    @given(st.text(max_size=16))
    def test_total_function(self, text: str) -> None:
        try:
            kind = classify_code(text)
        except DomainError as exc:
            assert exc.key == "err.code_invalid"
        else:
            assert kind in {"plu", "barcode"}
            if kind == "plu":
                assert validate_plu(text) == text.strip()
