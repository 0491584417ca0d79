"""'Do pobrania przy następnej synchronizacji': a change waits for each till of the
store until that till pulled past it (real terminals pulling from a real server)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "backoffice"))

from backoffice_support import TerminalClient  # noqa: E402
from web_support import WebClient  # noqa: E402

from ipos_tui.backoffice.services import BackOffice  # noqa: E402
from ipos_tui.backoffice.web.delivery import delivery_note  # noqa: E402


def _till(office: BackOffice, url: str, store_id: int) -> TerminalClient:
    _, code = office.add_terminal(store_id, "Kasa")
    return TerminalClient.activate(url, code)


def _behind(office: BackOffice, stream: str, store_id: int) -> tuple[int, int]:
    (item,) = office.delivery([stream], [store_id])
    return item.behind, item.terminals


def test_a_change_waits_for_each_till_until_it_pulled(office: BackOffice, web_url: str) -> None:
    first, second = _till(office, web_url, 1), _till(office, web_url, 1)
    other = _till(office, web_url, 2)
    assert _behind(office, "products", 1) == (2, 2)  # nothing pulled yet
    for till in (first, second, other):
        till.pull_all("products")
    assert _behind(office, "products", 1) == (0, 2)
    plu = office.list_products()[0]["plu"]
    office.set_price(1, office.product_by_plu(plu), 12345)  # store 1's list only
    assert _behind(office, "products", 1) == (2, 2)
    assert _behind(office, "products", 2) == (0, 1)  # store 2 sells from another list
    first.pull_all("products")
    assert _behind(office, "products", 1) == (1, 2)
    second.pull_all("products")
    assert _behind(office, "products", 1) == (0, 2)
    office.assign_price_list(1, 2)  # the tills switch lists at their next products sync
    assert _behind(office, "products", 1) == (2, 2)
    office.update_user("1002", name="Jan Nowak-Kowalski")  # users: every store's tills
    assert _behind(office, "users", 1) == (2, 2) and _behind(office, "users", 2) == (1, 1)
    for till in (first, second, other):
        till.close()


def test_the_pages_line_names_the_store_and_the_tills_menu(office: BackOffice, web_url: str,
                                                          owner: WebClient) -> None:
    till = _till(office, web_url, 1)
    till.pull_all("config")

    class Request:  # what delivery_note reads of a request
        cookies: dict[str, str] = {}
        headers = {"accept-language": "pl"}

    owner_user = office.web_sign_in("1001", "demo")[1]
    assert delivery_note(Request(), office, owner_user, "config") == ""
    office.set_setting("login_mode", "identifier")
    note = delivery_note(Request(), office, owner_user, "config")
    assert note.startswith("Do pobrania przy następnej synchronizacji (8 → 4 → 1 na kasie")
    assert "Sklep Centrum: 1 z 1 kasoterminala" in note
    till.close()
