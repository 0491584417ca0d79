"""Kasoterminale and Aktualizacje in iPOS web, against a real back office on 127.0.0.1:
the list per store (owner: every store, manager: theirs only, another store's till
404 also by its typed URL), adding a till shows its one-time code that really
activates it, a new code invalidates nothing else, revoking stops the till's token at
once, renaming with its errors; what a till reports of itself (unsent sales and the
oldest one's time, the staged update) checked header by header, and end to end with
a real till database selling, syncing and uploading."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

sys.path.insert(0, str(Path(__file__).parents[1] / "backoffice"))

from backoffice_support import TerminalClient  # noqa: E402
from web_support import WebClient, main_text  # noqa: E402

from ipos_tui.backoffice import models as m  # noqa: E402
from ipos_tui.backoffice.releases import ReleaseStore  # noqa: E402
from ipos_tui.backoffice.services import BackOffice  # noqa: E402
from ipos_tui.backoffice.web.routes.terminals import ago  # noqa: E402
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine  # noqa: E402
from ipos_tui.store.db import open_terminal  # noqa: E402
from ipos_tui.domain.records import User as TillUser  # noqa: E402
from ipos_tui.sync.activation import activate  # noqa: E402
from ipos_tui.sync.context import SyncContext  # noqa: E402
from ipos_tui.sync.progress import CancelToken  # noqa: E402
from ipos_tui.sync.pull import pull_stream  # noqa: E402
from ipos_tui.sync.upload import upload_job  # noqa: E402
from ipos_tui.updates.paths import UpdatePaths, write_json_atomic  # noqa: E402

CODE_RE = re.compile(r'id="activation-code">([0-9-]+)<')
JUNK_IDS = ("abc", "0", "-1", "1.5", "99999999999999999999", "%C5%BC%C3%B3%C5%82w")


def _manager(office: BackOffice, web_url: str, stores: list[int]) -> WebClient:
    office.add_user("2001", "Kierownik Centrum", "2222", role="manager")
    office.set_web_password("2001", "haslo-kierownika")
    office.set_user_stores("2001", stores)
    browser = WebClient(web_url)
    assert browser.login("2001", "haslo-kierownika").status_code == 303
    return browser


def _till(office: BackOffice, url: str, store_id: int, name: str = "Kasa") -> TerminalClient:
    _, code = office.add_terminal(store_id, name)
    return TerminalClient.activate(url, code, name)


def _row(office: BackOffice, terminal_id: int) -> m.Terminal:
    return m.Terminal.get_by_id(terminal_id)


def _added(browser: WebClient, store: int, name: str) -> tuple[int, str, str]:
    """Add a till in the page; its id, its code as shown, and the page's text."""
    response = browser.post("/terminals/new", {"store": str(store), "name": name})
    assert response.status_code == 200, main_text(response.text)
    assert response.headers["cache-control"] == "no-store"
    code = CODE_RE.search(response.text)
    assert code is not None
    terminal_id = int(re.search(r'href="/terminals/(\d+)"', response.text).group(1))
    return terminal_id, code.group(1), main_text(response.text)


# ----------------------------------------------------------------- the list


def test_owner_sees_every_store_and_filters_by_one(office: BackOffice, web_url: str,
                                                   owner: WebClient) -> None:
    centre = _till(office, web_url, 1, "Kasa Centrum")
    office.add_terminal(2, "Kasa Osiedle")  # not activated yet
    centre.pull_all("config")
    text = main_text(owner.get("/terminals").text)
    assert "Kasa Centrum" in text and "Kasa Osiedle" in text
    assert "aktywny" in text and "czeka na aktywację" in text
    assert "konfiguracja: " in text and "0.1.0" in text  # its app version, its last pull
    only_second = main_text(owner.get("/terminals?store=2").text)
    assert "Kasa Osiedle" in only_second and "Kasa Centrum" not in only_second
    assert owner.get("/terminals?store=").status_code == 200  # "all stores"
    # store ids typed by hand: junk, unknown, huge, negative, unicode digits
    for store in ("abc", "999", "99999999999999999999", "-1", "١", "1 OR 1=1"):
        assert owner.get("/terminals", params={"store": store}).status_code == 404, store
    centre.close()


def test_manager_sees_and_changes_only_their_stores_tills(office: BackOffice,
                                                          web_url: str) -> None:
    own_id, _ = office.add_terminal(1, "Kasa Centrum")
    other_id, _ = office.add_terminal(2, "Kasa Osiedle")
    manager = _manager(office, web_url, [1])
    text = main_text(manager.get("/terminals").text)
    assert "Kasa Centrum" in text and "Kasa Osiedle" not in text
    assert "Sklep Osiedlowy" not in text  # not even in the store filter
    assert manager.get("/terminals?store=2").status_code == 404
    assert manager.get(f"/terminals/{own_id}").status_code == 200
    # another store's till by its typed URL: every page and form answers 404
    for path in (f"/terminals/{other_id}", f"/terminals/{other_id}/revoke"):
        assert manager.get(path).status_code == 404, path
    for path, data in ((f"/terminals/{other_id}", {"name": "Moja"}),
                       (f"/terminals/{other_id}/code", {}),
                       (f"/terminals/{other_id}/revoke", {})):
        assert manager.post(path, data).status_code == 404, path
    row = _row(office, other_id)
    assert (row.name, row.revoked) == ("Kasa Osiedle", False)
    assert m.ActivationCode.select().where(m.ActivationCode.terminal == other_id).count() == 1
    # the new-till form offers their stores only; another store posted by hand is refused
    form = manager.get("/terminals/new").text
    assert "Sklep Centrum" in form and "Sklep Osiedlowy" not in form
    refused = manager.post("/terminals/new", {"store": "2", "name": "Cudza"})
    assert refused.status_code == 422 and "Wybierz sklep z listy." in main_text(refused.text)
    assert not m.Terminal.select().where(m.Terminal.name == "Cudza").exists()
    # a manager adds and revokes their own store's tills
    new_id, _, _ = _added(manager, 1, "Kasa 2")
    assert manager.post(f"/terminals/{new_id}/revoke").status_code == 303
    assert _row(office, new_id).revoked is True
    # Aktualizacje is the owner's
    assert manager.get("/updates").status_code == 403
    manager.close()


def test_junk_ids_are_404_pages(owner: WebClient) -> None:
    for junk in JUNK_IDS:
        for path in (f"/terminals/{junk}", f"/terminals/{junk}/revoke"):
            response = owner.get(path)
            assert response.status_code == 404, path
            assert "Nie ma takiej strony" in response.text
        for path in (f"/terminals/{junk}", f"/terminals/{junk}/code", f"/terminals/{junk}/revoke"):
            assert owner.post(path, {"name": "x"}).status_code == 404, path
    assert owner.get("/terminals/12345").status_code == 404  # a number that is no till


def test_pages_need_a_sign_in(client: WebClient) -> None:
    for path in ("/terminals", "/terminals/new", "/terminals/1", "/updates"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


# ----------------------------------------------------------------- adding a till


def test_add_shows_the_code_once_and_it_activates_the_till(office: BackOffice, web_url: str,
                                                           owner: WebClient) -> None:
    terminal_id, code, text = _added(owner, 2, "  Kasa   przy oknie ")
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}", code)
    assert "Kasoterminal dodany do sklepu Sklep Osiedlowy" in text
    (code_row,) = m.ActivationCode.select().where(m.ActivationCode.terminal == terminal_id)
    local = code_row.expires_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Warsaw"))
    assert f"Ważny jednorazowo do {local:%d.%m.%Y %H:%M}." in text  # in the shop's time
    assert "F2" in text and web_url in text  # how to type it on the till, and where
    row = _row(office, terminal_id)
    assert (row.name, row.store_id) == ("Kasa przy oknie", 2)  # spaces squeezed
    page = owner.get(f"/terminals/{terminal_id}").text
    assert "czeka na aktywację" in main_text(page) and code not in page  # shown once only
    till = TerminalClient.activate(web_url, code, "")
    assert (till.terminal_id, till.store_id) == (terminal_id, 2)
    assert main_text(owner.get(f"/terminals/{terminal_id}").text).count("aktywny") >= 1
    again = httpx.post(f"{web_url}/api/v1/activate", json={"code": code, "name": "x"})
    assert again.status_code == 409  # one-time
    till.close()


def test_add_form_errors_keep_the_values(office: BackOffice, owner: WebClient) -> None:
    before = m.Terminal.select().count()
    tried = {
        "no store": ({"store": "", "name": "Kasa"}, "store", "Wybierz sklep z listy."),
        "store junk": ({"store": "abc", "name": "Kasa"}, "store", "Wybierz sklep z listy."),
        "store unknown": ({"store": "999", "name": "Kasa"}, "store", "Wybierz sklep z listy."),
        "store huge": ({"store": "9" * 30, "name": "Kasa"}, "store", "Wybierz sklep z listy."),
        "blank name": ({"store": "1", "name": "   "}, "name", "Pole wymagane."),
        "no fields": ({}, "store", "Wybierz sklep z listy."),
        "name too long": ({"store": "1", "name": "K" * 81}, "name", "80"),
    }
    for label, (data, field, message) in tried.items():
        response = owner.post("/terminals/new", data)
        assert response.status_code == 422, label
        error = re.search(rf'id="e-{field}">([^<]*)<', response.text)
        assert error and message in error.group(1), (label, response.text[-2000:])
        if data.get("name"):
            assert f'value="{data["name"]}"' in response.text, label
    assert m.Terminal.select().count() == before  # nothing added
    # duplicate fields and unicode junk: no 5xx; the name keeps what was typed
    response = owner.http.post("/terminals/new", content=(
        f"csrf_token={owner.csrf}&store=1&store=2&name=%F0%9F%92%B3+Kasa+%E2%80%AE"),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    assert m.Terminal.select().count() == before + 1


def test_posts_without_csrf_are_refused(office: BackOffice, owner: WebClient) -> None:
    terminal_id, _ = office.add_terminal(1, "Kasa")
    for path, data in (("/terminals/new", {"store": "1", "name": "Bez tokenu"}),
                       (f"/terminals/{terminal_id}", {"name": "Bez tokenu"}),
                       (f"/terminals/{terminal_id}/code", {}),
                       (f"/terminals/{terminal_id}/revoke", {}),
                       (f"/terminals/{terminal_id}/regressions", {})):
        response = owner.post(path, data, csrf=False)
        assert response.status_code == 403, path
        assert owner.post(path, {**data, "csrf_token": "forged"}, csrf=False).status_code == 403
    row = _row(office, terminal_id)
    assert (row.name, row.revoked) == ("Kasa", False)
    assert m.Terminal.select().where(m.Terminal.name == "Bez tokenu").count() == 0
    assert m.ActivationCode.select().where(m.ActivationCode.terminal == terminal_id).count() == 1


# ----------------------------------------------------------------- new code, revoke


def test_a_new_code_invalidates_nothing_else(office: BackOffice, web_url: str,
                                             owner: WebClient) -> None:
    working = _till(office, web_url, 1, "Kasa 1")
    waiting_id, waiting_code = office.add_terminal(1, "Kasa 2")
    response = owner.post(f"/terminals/{working.terminal_id}/code")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    new_code = CODE_RE.search(response.text).group(1)
    assert "Kasa działa dalej jak dotąd" in main_text(response.text)
    assert working.pull("config")["cursor"] >= 0  # its token still works
    other = TerminalClient.activate(web_url, waiting_code, "Kasa 2")  # other codes still work
    assert other.terminal_id == waiting_id
    detail = main_text(owner.get(f"/terminals/{working.terminal_id}").text)
    assert "Wydany kod aktywacyjny czeka na użycie do" in detail
    # used, the new code replaces the till's token: same till, old token refused
    reactivated = TerminalClient.activate(web_url, new_code, "Kasa 1")
    assert reactivated.terminal_id == working.terminal_id
    assert working.http.get("/api/v1/sync/config").status_code == 401
    assert reactivated.pull("config")["cursor"] >= 0
    for till in (working, other, reactivated):
        till.close()


def test_revoke_asks_first_then_the_token_gets_401(office: BackOffice, web_url: str,
                                                   owner: WebClient) -> None:
    till = _till(office, web_url, 1, "Kasa 1")
    till.http.get("/api/v1/sync/config", headers={"X-Pending-Count": "2"})
    detail = owner.get(f"/terminals/{till.terminal_id}")
    assert f'href="/terminals/{till.terminal_id}/revoke"' in detail.text
    confirm = main_text(owner.get(f"/terminals/{till.terminal_id}/revoke").text)
    assert "Unieważnić kasoterminal Kasa 1 (Sklep Centrum)?" in confirm
    assert "od razu przestanie się synchronizować" in confirm
    assert "nowy kod aktywacyjny" in confirm
    assert "niewysłane sprzedaże: 2" in confirm
    assert till.http.get("/api/v1/sync/config").status_code == 200  # asking changed nothing
    response = owner.post(f"/terminals/{till.terminal_id}/revoke")
    assert response.status_code == 303
    assert response.headers["location"] == f"/terminals/{till.terminal_id}?saved=revoked"
    page = main_text(owner.get(response.headers["location"]).text)
    assert "Kasoterminal unieważniony" in page and "unieważniony" in page
    assert till.http.get("/api/v1/sync/config").status_code == 401
    assert "unieważniony" in main_text(owner.get("/terminals").text)
    assert "już unieważniony" in main_text(
        owner.get(f"/terminals/{till.terminal_id}/revoke").text)
    # a new code brings it back, same id
    code = CODE_RE.search(owner.post(f"/terminals/{till.terminal_id}/code").text).group(1)
    back = TerminalClient.activate(web_url, code, "Kasa 1")
    assert back.terminal_id == till.terminal_id and back.pull("config")["cursor"] >= 0
    till.close()
    back.close()


def test_rename_and_its_errors(office: BackOffice, owner: WebClient) -> None:
    terminal_id, _ = office.add_terminal(1, "Kasa")
    page = owner.get(f"/terminals/{terminal_id}").text
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    response = owner.post(f"/terminals/{terminal_id}", {"name": "Kasa przy wejściu",
                                                        "version": version})
    assert response.status_code == 303
    assert "Nazwa zapisana." in main_text(owner.get(response.headers["location"]).text)
    assert _row(office, terminal_id).name == "Kasa przy wejściu"
    for label, name, message in (("blank", "  ", "Pole wymagane."),
                                 ("too long", "x" * 81, "80")):
        refused = owner.post(f"/terminals/{terminal_id}", {"name": name, "version": version})
        assert refused.status_code == 422, label
        assert message in re.search(r'id="e-name">([^<]*)<', refused.text).group(1), label
    # the form shown before the rename is stale now: refused, nothing overwritten
    stale = owner.post(f"/terminals/{terminal_id}", {"name": "Stara", "version": version})
    assert stale.status_code == 422
    assert "Ktoś zmienił te dane w międzyczasie." in main_text(stale.text)
    assert 'value="Kasa przy wejściu"' in stale.text  # the form as it is now
    assert _row(office, terminal_id).name == "Kasa przy wejściu"
    missing = owner.post(f"/terminals/{terminal_id}", {"name": "Bez wersji"})
    assert missing.status_code == 422
    assert _row(office, terminal_id).name == "Kasa przy wejściu"


# ----------------------------------------------------------------- what a till reports


def test_report_headers_are_validated(office: BackOffice, web_url: str) -> None:
    till = _till(office, web_url, 1)

    def call(**headers: str) -> int:
        return till.http.get("/api/v1/sync/config", headers=headers).status_code

    oldest = "2026-12-04T15:00:00Z"
    assert call(**{"X-Pending-Count": "3", "X-Oldest-Pending": oldest,
                   "X-Staged-Version": "0.2.0"}) == 200
    row = _row(office, till.terminal_id)
    assert (row.pending_count, row.oldest_pending, row.staged_version) == (
        3, datetime(2026, 12, 4, 15, 0), "0.2.0")
    junk: dict[str, tuple[str | bytes, ...]] = {
        "X-Oldest-Pending": ("yesterday", "2026-13-01T00:00:00Z", "1733324400",
                             "9" * 5000, "2026-12-04T15:00:00Z" + " " * 30 + "x"),
        "X-Staged-Version": ("1.0 beta", "1.0/../x", "v" * 65, "ä1.0".encode(), "1.0;rm"),
        "X-Pending-Count": ("many", "-1", "3.0", "²".encode("latin-1"), "٣".encode(),
                            "9" * 5000),
    }
    for header, values in junk.items():
        for value in values:
            response = till.http.get("/api/v1/sync/config", headers={header: value})
            assert response.status_code == 422, (header, value)
            assert response.json()["error"] == "header_invalid"
    # an empty value is "not said": accepted, nothing changed
    assert call(**{"X-Pending-Count": "", "X-Oldest-Pending": "", "X-Staged-Version": ""}) == 200
    row = _row(office, till.terminal_id)
    assert (row.pending_count, row.oldest_pending, row.staged_version) == (
        3, datetime(2026, 12, 4, 15, 0), "0.2.0")
    # an offset is converted to UTC; without one it is UTC
    assert call(**{"X-Pending-Count": "3", "X-Oldest-Pending": "2026-12-04T17:30:00+01:00"}) == 200
    assert _row(office, till.terminal_id).oldest_pending == datetime(2026, 12, 4, 16, 30)
    # nothing unsent forgets the oldest; "none" forgets the staged version
    assert call(**{"X-Pending-Count": "0", "X-Oldest-Pending": oldest,
                   "X-Staged-Version": "none"}) == 200
    row = _row(office, till.terminal_id)
    assert (row.pending_count, row.oldest_pending, row.staged_version) == (0, None, None)
    till.close()


def test_the_list_shows_the_age_of_the_oldest_unsent_sale(office: BackOffice, web_url: str,
                                                          owner: WebClient) -> None:
    till = _till(office, web_url, 1, "Kasa 1")
    two_hours = (datetime.now(UTC) - timedelta(hours=2, minutes=5)).isoformat(timespec="seconds")
    till.http.get("/api/v1/sync/config", headers={"X-Pending-Count": "4",
                                                  "X-Oldest-Pending": two_hours,
                                                  "X-Staged-Version": "0.3.0"})
    page = owner.get("/terminals").text
    text = main_text(page)
    assert "4 najstarsza 2 godziny temu" in text and "0.3.0" in text
    assert 'class="attention"' in page and '<span class="warn">4</span>' in page
    english = WebClient(web_url, "en")
    english.login()
    assert "oldest 2 hours ago" in main_text(english.get("/terminals").text)
    english.close()
    till.close()


def test_numbering_gaps_and_regressions_show_on_the_list_and_the_detail(
        office: BackOffice, web_url: str, owner: WebClient) -> None:
    """Issue 15 item 5: a till's numbering gap (800015 then 800100) and a number sent
    again for another sale show on Kasoterminale (one number as itself, not
    800015–800015 (1)); the gap goes when the sales arrive."""
    from backoffice_support import make_receipt

    till = _till(office, web_url, 1, "Kasa 1")
    quiet = _till(office, web_url, 1, "Kasa 2")
    assert [r["status"] for r in till.push([make_receipt(1, 800015), make_receipt(1, 800100)])] \
        == ["accepted", "accepted"]
    assert till.push([make_receipt(1, 800015)])[0]["reason"] == "number_conflict"
    page = owner.get("/terminals").text
    text = main_text(page)
    assert "Numeracja" in text
    assert "brak: paragony 800016–800099 (84) od" in text
    assert "powtórzone: paragony 800015 od" in text
    assert text.count("bez luk") == 1  # Kasa 2 has none
    detail = main_text(owner.get(f"/terminals/{till.terminal_id}").text)
    assert "brak: paragony 800016–800099 (84)" in detail
    assert "bez luk" in main_text(owner.get(f"/terminals/{quiet.terminal_id}").text)
    english = WebClient(web_url, "en")
    english.login()
    assert "missing: receipts 800016–800099 (84) since" in main_text(english.get("/terminals").text)
    english.close()
    # the missing sales arrive: the gap is gone, the regression stays until cleared
    for start in range(800016, 800100, 40):
        batch = [make_receipt(1, n) for n in range(start, min(start + 40, 800100))]
        assert {r["status"] for r in till.push(batch)} == {"accepted"}
    text = main_text(owner.get("/terminals").text)
    assert "brak: paragony" not in text and "powtórzone: paragony 800015" in text
    # cleared on the till's page (with its CSRF token only), once seen to
    detail = owner.get(f"/terminals/{till.terminal_id}").text
    assert "Wyczyść powtórzone numery" in detail
    assert "Wyczyść powtórzone numery" not in owner.get(f"/terminals/{quiet.terminal_id}").text
    path = f"/terminals/{till.terminal_id}/regressions"
    assert owner.post(path, {}, csrf=False).status_code == 403
    assert "powtórzone: paragony" in main_text(owner.get("/terminals").text)
    assert owner.post("/terminals/999/regressions", {}).status_code == 404
    cleared = owner.post(path, {})
    assert cleared.status_code == 303
    assert "Powtórzone numery wyczyszczone." in main_text(owner.get(cleared.headers["location"]).text)
    assert main_text(owner.get("/terminals").text).count("bez luk") == 2
    till.close()
    quiet.close()


def test_ago_reads_as_people_say_it() -> None:
    now = datetime(2026, 12, 4, 12, 0)
    said = {s: ago("pl", now - timedelta(seconds=s), now)
            for s in (0, 59, 60, 5 * 60, 22 * 60, 3600, 5 * 3600, 47 * 3600, 2 * 86400, 5 * 86400)}
    assert list(said.values()) == [
        "przed chwilą", "przed chwilą", "1 minutę temu", "5 minut temu", "22 minuty temu",
        "1 godzinę temu", "5 godzin temu", "47 godzin temu", "2 dni temu", "5 dni temu"]
    assert ago("en", now - timedelta(minutes=1), now) == "1 minute ago"
    assert ago("pl", None, now) == ""
    assert ago("pl", now + timedelta(hours=1), now) == "przed chwilą"  # a till's clock ahead


def _sell(terminal: Any, office: BackOffice) -> str:
    cashier = next(u for u in office.list_users() if u["identifier"] == "1002")
    receipt = Receipt([ReceiptLine("1", "Mleko", "szt.", 0, 349, 1000, "B",
                                   product_id=office.product_by_plu("1"))])
    stored = terminal.ledger.commit_receipt(
        receipt, [Payment("cash", "Gotówka", receipt.total)],
        cashier=TillUser(id=cashier["id"], identifier="1002", name=cashier["name"],
                         role="cashier"),
        now=datetime.now(UTC))
    return stored.uuid


def test_a_real_till_reports_its_unsent_sale_and_its_upload(office: BackOffice, web_url: str,
                                                            owner: WebClient,
                                                            tmp_path: Path) -> None:
    terminal_id, code, _ = _added(owner, 1, "Kasa 1")
    with open_terminal(tmp_path / "till") as terminal:
        activate(terminal, web_url, code, "Kasa 1", sleep=lambda _s: None)
        _sell(terminal, office)
        # an update staged on the till (as the updater records it)
        paths = UpdatePaths(terminal.data_dir)
        paths.staged_dir("9.9.9").mkdir(parents=True)
        write_json_atomic(paths.staged_marker, {
            "version": "9.9.9", "channel": "stable", "directory": "staged/9.9.9",
            "signed": {}, "wheels": {}, "staged_at": datetime.now(UTC).isoformat()})
        ctx = SyncContext.for_terminal(terminal, sleep=lambda _s: None)
        with ctx:
            assert pull_stream(ctx, "config", lambda _e: None, CancelToken()).ok
        row = _row(office, terminal_id)
        assert row.pending_count == 1 and row.staged_version == "9.9.9"
        oldest = terminal.ledger.pending_summary()[1]
        assert row.oldest_pending == oldest.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        detail = main_text(owner.get(f"/terminals/{terminal_id}").text)
        assert "Niewysłane sprzedaże 1 najstarsza przed chwilą" in detail
        assert "Przygotowana aktualizacja 9.9.9" in detail
        # the upload: 0 unsent, no oldest any more
        with SyncContext.for_terminal(terminal, sleep=lambda _s: None) as ctx:
            assert upload_job(ctx, lambda _e: None, CancelToken())
        row = _row(office, terminal_id)
        assert (row.pending_count, row.oldest_pending) == (0, None)
        detail = main_text(owner.get(f"/terminals/{terminal_id}").text)
        assert "Niewysłane sprzedaże 0" in detail and "najstarsza" not in detail
        # the update installed (nothing staged): the next contact says so
        paths.staged_marker.unlink()
        with SyncContext.for_terminal(terminal, sleep=lambda _s: None) as ctx:
            assert pull_stream(ctx, "users", lambda _e: None, CancelToken()).ok
        assert _row(office, terminal_id).staged_version is None


# ----------------------------------------------------------------- Aktualizacje


def test_updates_list_releases_and_the_tills_versions(office: BackOffice, web_url: str,
                                                      owner: WebClient, tmp_path: Path) -> None:
    from ipos_tui.backoffice.releases import default_releases_dir

    store = ReleaseStore(default_releases_dir(office.db))
    assert "Nie opublikowano jeszcze żadnego wydania" in main_text(owner.get("/updates").text)
    for version, published in (("0.1.0", "2026-11-01T10:00:00+00:00"),
                               ("0.2.0", "2026-12-01T10:00:00+00:00")):
        archive = tmp_path / f"ipos-tui-{version}.zip"
        archive.write_bytes(b"x" * 3_500_000)
        store.publish(archive, {"metadata": {
            "version": version, "channel": "stable", "size": 3_500_000,
            "published": published, "expires": "2026-12-31T10:00:00+00:00",
            "url": f"/releases/files/{archive.name}", "sha256": "0" * 64},
            "key_id": "k", "signature": "s"})
    (store.root / "stable" / "broken.json").write_text("[1, 2]")  # not metadata: skipped
    till = _till(office, web_url, 1, "Kasa 1")
    till.http.get("/api/v1/sync/config", headers={"X-Staged-Version": "0.2.0"})
    text = main_text(owner.get("/updates").text)
    assert "0.2.0 (najnowsze) stable 01.12.2026 11:00 31.12.2026 11:00 3,3 MB" in text
    assert "0.1.0 stable 01.11.2026 11:00" in text
    assert "Sklep Centrum Kasa 1 aktywny 0.1.0 0.2.0" in text  # runs 0.1.0, staged 0.2.0
    till.close()


def test_the_till_client_sends_its_report_headers() -> None:
    from ipos_tui.sync.client import SyncClient

    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    state: dict[str, Any] = {"pending": (2, datetime(2026, 12, 4, 18, 5, 7, 123, tzinfo=UTC)),
                             "staged": "0.4.0"}
    client = SyncClient("http://bo.test", "secret", app_version="0.3.0",
                        pending_summary=lambda: state["pending"],
                        staged_version=lambda: state["staged"],
                        transport=httpx.MockTransport(handler))
    client.get_json("/sync/config")
    state.update(pending=(0, None), staged=None)
    client.get_json("/sync/config")
    client.close()
    first, second = (r.headers for r in seen)
    assert (first["X-Pending-Count"], first["X-Oldest-Pending"], first["X-Staged-Version"]) == (
        "2", "2026-12-04T18:05:07Z", "0.4.0")
    assert (second["X-Pending-Count"], second["X-Staged-Version"]) == ("0", "none")
    assert "X-Oldest-Pending" not in second


def test_migration_5_adds_the_report_columns(office: BackOffice) -> None:
    from ipos_tui.backoffice.migrations import LATEST_VERSION, current_version, migrate

    terminal_id, _ = office.add_terminal(1, "Kasa")
    m.Terminal.update(pending_count=3).where(m.Terminal.id == terminal_id).execute()
    # the database as schema 4 left it: no report columns
    for column in ("oldest_pending", "staged_version"):
        office.db.execute_sql(f'ALTER TABLE "terminal" DROP COLUMN "{column}"')
    m.SchemaVersion.delete().where(m.SchemaVersion.version >= 5).execute()
    assert current_version(office.db) == 4
    assert migrate(office.db) == list(range(5, LATEST_VERSION + 1)) and current_version(office.db) == LATEST_VERSION
    row = _row(office, terminal_id)
    assert (row.name, row.pending_count, row.oldest_pending, row.staged_version) == (
        "Kasa", 3, None, None)
    assert migrate(office.db) == []
