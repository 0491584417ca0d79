"""Every screen and state of the terminal, as key sequences from a fresh start.

Shared by the snapshot tests (80x24 SVGs) and the console-mode glyph test, so each
state the snapshots show is also checked against the Linux console font.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ipos_tui.terminal.db import Terminal

from ui_helpers import set_catalogue_settings

LOGIN = ["1", "0", "0", "1", "enter", "1", "1", "1", "1", "enter"]
TRAINEE = ["1", "0", "0", "3", "enter", "3", "3", "3", "3", "enter"]


def code(text: str) -> list[str]:
    return [*text, "enter"]


#: a receipt with an EAN item, a weighed item and a discounted line
BASKET = [
    *code("1"),
    *code("5901200000027"),
    *code("20"),
    *code("0,350"),
    *code("9"),
    "f4",
    "2",
    *code("10"),
]
SELL_ONE = [*code("1"), "plus", "enter", "wait:50", "escape"]


@dataclass(frozen=True)
class State:
    keys: list[str]
    setup: Callable[[Terminal], None] | None = None
    options: dict[str, object] = field(default_factory=dict)


STATES: dict[str, State] = {
    "login": State([]),
    "login_wrong_pin": State(["1", "0", "0", "2", "enter", "9", "9", "9", "9", "enter"]),
    "login_locked": State(["1", "0", "0", "2", "enter"] + ["9", "9", "9", "9", "enter"] * 5),
    "login_identifier_only": State([], setup=lambda t: set_catalogue_settings(t, login_mode="id")),
    "login_none": State([], setup=lambda t: set_catalogue_settings(t, login_mode="none")),
    "service_menu": State(["f2"]),
    "service_password": State(["f2", "2", "wait:50", *"SERV"]),
    "registration_empty": State(LOGIN),
    "registration_basket": State([*LOGIN, *BASKET]),
    "registration_not_found": State([*LOGIN, *code("1"), *code("777777")]),
    "registration_name_search": State([*LOGIN, "asterisk", *"mlek"]),
    "registration_t9_search": State([*LOGIN, "asterisk", *"65356"]),
    "registration_most_sold": State([*LOGIN, *SELL_ONE, "asterisk"]),
    "registration_quantity_edit": State([*LOGIN, *code("1"), "number_sign"]),
    "registration_price_edit": State([*LOGIN, *code("1"), "number_sign", "number_sign"]),
    "registration_no_price_permission": State([*TRAINEE, *code("1"), "number_sign", "number_sign"]),
    "registration_weight_prompt": State([*LOGIN, *code("20")]),
    "registration_open_price": State([*LOGIN, *code("2601")]),
    "registration_void_confirm": State([*LOGIN, *code("1"), "escape"]),
    "registration_discount_menu": State([*LOGIN, *code("9"), "f4"]),
    "registration_help": State([*LOGIN, "f1"]),
    "registration_unsent": State([*LOGIN, *SELL_ONE, *SELL_ONE, *code("9")]),
    "payment": State([*LOGIN, *BASKET, "plus"]),
    "payment_cash_change": State([*LOGIN, *BASKET, "plus", *"5000"]),
    "payment_split": State([*LOGIN, *BASKET, "plus", "asterisk", "asterisk", *code("500")]),
    "payment_card_terminal": State([*LOGIN, *BASKET, "plus", "asterisk", "enter"]),
    "payment_document_menu": State([*LOGIN, *BASKET, "plus", "f3"]),
    "payment_invoice_bad_nip": State([*LOGIN, *BASKET, "plus", "f3", "1", "wait:50", *code("1234567890")]),
    "payment_invoice_ready": State(
        [*LOGIN, *BASKET, "plus", "f3", "1", "wait:50", *code("5261045731"), *code("Firma Testowa sp. z o.o."),
         *code("ul. Prosta 1, 00-001 Warszawa")]
    ),
    "printout": State([*LOGIN, *BASKET, "plus", *code("5000"), "wait:50"]),
    "user_menu": State([*LOGIN, "f2"]),
    "configuration_menu": State([*LOGIN, "f2", "8"]),
    "settings_menu": State([*LOGIN, "f2", "8", "2"]),
    "terminal_info": State([*LOGIN, "f2", "8", "1"]),
    "information": State([*LOGIN, *SELL_ONE, "f2", "7"]),
    "transactions": State([*LOGIN, *SELL_ONE, *SELL_ONE, "f2", "5"]),
    "transactions_empty": State([*LOGIN, "f2", "5"]),
    "registration_english": State([*LOGIN, *BASKET], options={"language": "en"}),
    "payment_english": State([*LOGIN, *BASKET, "plus"], options={"language": "en"}),
    "registration_console": State([*LOGIN, *BASKET], options={"console_mode": True}),
    "transactions_console": State([*LOGIN, *SELL_ONE, "f2", "5"], options={"console_mode": True}),
}
