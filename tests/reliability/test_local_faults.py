"""Local faults of a till (issue 18, the last three rows of the matrix):

* destructive actions while documents are unsent: activation for another terminal,
  store or back office, and an update install are refused until the documents are
  sent or exported to a file (``ipos-tui export-unsent``), which the back office
  ingests as the till's own upload (same uuids, stored once); a downgrade is refused
  always; logging out and quitting ask first and keep everything. (The product has no
  "reset" of a real till's data: ``ipos-tui demo --reset`` only remakes the demo.)
* a full disk and a read-only data directory: the sale is refused with words the
  cashier can read before anything is printed (printer journal untouched, no number
  used, the receipt stays open), and the same receipt is paid once there is room;
* a corrupt file, another program's database and a database of a newer version: a
  clear message and not one byte written, through ``Till.open`` and ``ipos-tui``.

Disk full and read-only are real where the tests may mount (root): a tiny tmpfs is
filled to ENOSPC, or remounted read-only. A file system cannot be remounted read-only
under a till that holds its database open for writing (the kernel answers EBUSY), so
"the directory turns read-only while selling" is SQLite's own answer for that case,
SQLITE_READONLY, produced with ``PRAGMA query_only`` on the till's connection.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from invariants import check, cursors
from local_faults_support import (
    digest,
    digests,
    fill,
    pay_cash,
    remount,
    ring_up,
    till_on,
    tmpfs,
    trace,
)
from office_db import url_of
from sync.faultproxy import Shop
from terminal_support import CASHIER, NOW

from ipos_tui.backoffice.security import SECRET_ENV
from ipos_tui.cli import tui_main
from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
from ipos_tui.i18n import t
from ipos_tui.store.db import DB_FILENAME
from ipos_tui.store.migrations import SCHEMA_VERSION
from ipos_tui.sync.context import SyncContext
from ipos_tui.sync.progress import CancelToken
from ipos_tui.sync.pull import pull_stream
from ipos_tui.sync.upload import upload_job
from ipos_tui.till import Till
from ipos_tui.till.unsent import export_unsent, read_export
from ipos_tui.updates.hook import day_close_update
from ipos_tui.updates.metadata import check_newer

UPLOAD = "/api/v1/transactions"


# -- a till with unsent documents and its back office ------------------------------


@pytest.fixture
def till(tmp_path: Path, shop: tuple[Shop, str]) -> Iterator[Till]:
    office, base = shop
    with Till.open(tmp_path / "till") as till:
        office.activate(base, till.terminal)
        pull(till)
        yield till


def sell(till: Till, shop: Shop, count: int) -> list[str]:
    uuids = []
    for i in range(count):
        receipt = Receipt([ReceiptLine("101", "Towar B", "szt.", 0, 250 + i, 1000, "B",
                                       product_id=shop.products["B"])])
        uuids.append(till.terminal.ledger.commit_receipt(
            receipt, [Payment("cash", "Gotówka", receipt.total)], cashier=shop.cashier,
            now=datetime.now(UTC)).uuid)
    return uuids


def unsent(till: Till) -> list[str]:
    return [u for (u,) in till.terminal.db.execute_sql(
        "SELECT uuid FROM document WHERE upload_state != 'sent' ORDER BY id").fetchall()]


def pull(till: Till) -> None:
    context = SyncContext.for_terminal(till.terminal, sleep=lambda _s: None, max_attempts=2)
    assert context is not None
    with context:
        assert pull_stream(context, "products", lambda _e: None, CancelToken()).ok


def upload(till: Till) -> None:
    context = SyncContext.for_terminal(till.terminal, sleep=lambda _s: None, max_attempts=2)
    assert context is not None
    with context:
        assert upload_job(context, lambda _e: None, CancelToken())


def test_activation_elsewhere_is_refused_while_sales_are_unsent(
        till: Till, shop: tuple[Shop, str]) -> None:
    """Fault: a code for another terminal, then another back office's address, typed
    in while 3 sales are unsent. Checks: both refused with the count and the way out,
    before the code is used (the other terminal's code still activates the till it was
    made for), the till's connection, identity and cursors unchanged; re-activation of
    the same terminal is allowed and then the sales go, each stored once."""
    office, base = shop
    sold = sell(till, office, 3)
    before, connection = cursors(till.terminal), till.sync.connection()
    assert connection is not None
    other_id, code = office.office.add_terminal(office.store2, "Inna")
    with pytest.raises(DomainError) as refused:
        till.sync.activate(base, code, "")
    assert refused.value.key == "sync.err.unsent_other_terminal_kept"
    assert refused.value.params["n"] == 3
    assert "export-unsent" in t(refused.value.key, **refused.value.params)
    assert "nadal ważny" in t(refused.value.key, **refused.value.params)
    fresh_code = office.office.new_activation_code(other_id)
    with pytest.raises(DomainError) as refused:
        till.sync.activate("http://127.0.0.1:9", fresh_code, "")  # nothing listens there
    assert refused.value.key == "sync.err.unsent_other_office"
    assert till.sync.connection() == connection
    assert till.terminal.settings.terminal_info().terminal_id == connection.terminal_id
    assert unsent(till) == sold and cursors(till.terminal) == before
    # the refused code was not used up: the till it was made for takes it
    assert office.office.activate(code, "Inna")["terminal_id"] == other_id
    # the same terminal (a revoked token, say) may always come back: that sends them
    again = till.sync.activate(base, office.office.new_activation_code(connection.terminal_id), "")
    assert (again.terminal_id, again.store_id) == (connection.terminal_id, connection.store_id)
    upload(till)
    assert unsent(till) == [] and len(office.stored(sold)) == 3
    check(till.terminal, office.office, cursors_before=before)


def test_export_is_the_way_out_and_the_back_office_ingests_it_once(
        till: Till, shop: tuple[Shop, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Fault: the back office cannot be reached and the till must move. Checks:
    ``ipos-tui activate`` with another till's code is refused in words;
    ``ipos-tui export-unsent FILE`` writes every unsent document as the upload's
    JSON (one a line, owner-only, no temporary left); ``ipos-backoffice transactions
    import-unsent FILE --terminal N`` stores each once (again: each already held),
    the till's own later upload is answered as a duplicate; a sale after the export blocks the move again until exported too;
    then activation for another terminal goes through."""
    office, base = shop
    before = cursors(till.terminal)
    sold = sell(till, office, 3)
    connection = till.sync.connection()
    assert connection is not None
    data_dir = till.data_dir
    till.terminal.close()  # the CLI opens the till itself (one process per data dir)
    _, code = office.office.add_terminal(office.store2, "Inna")  # headless, the same refusal
    assert tui_main(["--lang", "pl", "--data-dir", str(data_dir), "activate", "--server", base,
                     "--code", code]) == 1
    assert "export-unsent" in capsys.readouterr().err
    out = tmp_path / "out" / "unsent.jsonl"
    assert tui_main(["--lang", "pl", "--data-dir", str(data_dir), "export-unsent", str(out)]) == 0
    assert "3" in capsys.readouterr().out
    documents = read_export(out)
    assert [d["uuid"] for d in documents] == sold
    assert out.stat().st_mode & 0o777 == 0o600 and [p.name for p in out.parent.iterdir()] == [out.name]
    with Till.open(data_dir) as till:
        # the back office's side: the owner takes the file in as the till's upload (in
        # its own process, as an owner runs it: the CLI binds the models to its database)
        office_cli = [sys.executable, "-m", "ipos_tui.backoffice.cli", "--db",
                      url_of(office.office.db), "transactions", "import-unsent",
                      "--terminal", str(connection.terminal_id), str(out), "--json"]
        for expected in ({"accepted": 3, "duplicate": 0}, {"accepted": 0, "duplicate": 3}):
            taken = subprocess.run(office_cli, capture_output=True, text=True, check=False,
                                   env={**os.environ, SECRET_ENV: "test"}, timeout=60)
            assert taken.returncode == 0, taken.stderr
            assert json.loads(taken.stdout) == {"terminal_id": connection.terminal_id,
                                                "documents": 3, "rejected": 0, **expected}
        upload(till)  # the till's own sync later: duplicates, nothing new
        assert len(office.stored(sold)) == 3
        check(till.terminal, office.office, cursors_before=before)
        later = sell(till, office, 1)
        other_id, code = office.office.add_terminal(office.store2, "Inna")
        with pytest.raises(DomainError) as refused:
            till.sync.activate(base, code, "")
        assert (refused.value.key, refused.value.params["n"]) == (
            "sync.err.unsent_other_terminal_kept", 1)
        assert export_unsent(till.terminal, out) == 1 and read_export(out)[0]["uuid"] == later[0]
        moved = till.sync.activate(base, code, "")  # the refused code, kept for this
        assert moved.terminal_id == other_id


def test_install_waits_for_unsent_sales_and_a_downgrade_is_never_installed(
        till: Till, shop: tuple[Shop, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: an update staged while 2 sales are unsent; a staged and an offered
    older version. Checks: the day-close hook refuses the install (saying how to
    export), lets it through once they are exported, refuses again for a sale made
    after the export; an older version is refused at the offer and dropped when
    staged, unsent sales or not."""
    from ipos_tui.updates import install
    from ipos_tui.updates.staging import read_staged

    monkeypatch.setattr(install, "install_blocker", lambda: None)  # tests run editable
    office, _base = shop
    sell(till, office, 2)
    staged: dict[str, str] = {"version": "99.0.0"}
    monkeypatch.setattr("ipos_tui.updates.hook.read_staged",
                        lambda _d: type("Staged", (), staged)())
    monkeypatch.setattr("ipos_tui.updates.hook.verify_staged", lambda *_a: None)
    monkeypatch.setattr("ipos_tui.updates.hook.trusted_keys", lambda _d: [])
    pending = till.terminal.ledger.pending_summary()[0]
    result = day_close_update(till.terminal, pending=pending)
    assert (result.status, result.key, result.params["count"]) == ("refused", "update.hook_unsent", 2)
    assert "export-unsent" in t(result.key, **result.params)
    export_unsent(till.terminal, tmp_path / "unsent.jsonl")
    assert day_close_update(till.terminal, pending=pending).status == "ready"
    sell(till, office, 1)
    assert day_close_update(till.terminal, pending=pending + 1).status == "refused"
    # a downgrade: refused when offered, dropped when found staged
    with pytest.raises(DomainError) as refused:
        check_newer("0.0.1", "0.1.0")
    assert refused.value.key == "update.err_downgrade"
    cleared: list[Path] = []
    staged["version"] = "0.0.1"
    monkeypatch.setattr("ipos_tui.updates.hook.clear_staged", cleared.append)
    result = day_close_update(till.terminal, pending=pending + 1)
    assert result.status == "nothing" and cleared == [till.data_dir]
    assert read_staged(till.data_dir) is None


async def test_connection_screen_says_why_activation_elsewhere_is_refused(
        make_app, shop: tuple[Shop, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Fault: a manager types another terminal's code in 8. Konfiguracja → 3. Połączenie
    while 2 sales are unsent. Checks: the screen's status says why in Polish with the
    count and the export, no unexpected error, the connection unchanged; then the
    sales go and the invariants hold."""
    from ipos_tui.ui.dialogs.authorise import AuthoriseDialog
    from ipos_tui.ui.screens.connection import ConnectionScreen
    from ui.ui_helpers import status, type_text

    office, base = shop
    manager = "2" + str(len(office.office.list_users()) + 100)
    office.office.add_user(manager, "Ewa Kierownik", "24681357", role="manager",
                           permissions=("settings",))
    app = make_app(data_dir=tmp_path / "till")
    office.activate(base, app.terminal)
    for stream in ("config", "users", "products"):
        context = SyncContext.for_terminal(app.terminal, sleep=lambda _s: None, max_attempts=2)
        assert context is not None
        with context:
            assert pull_stream(context, stream, lambda _e: None, CancelToken()).ok
    before, connection = cursors(app.terminal), app.till.sync.connection()
    sold = sell(app.till, office, 2)
    _, code = office.office.add_terminal(office.store2, "Inna")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(ConnectionScreen())
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, AuthoriseDialog)
        await type_text(pilot, manager)
        await pilot.press("enter")
        await type_text(pilot, "24681357")
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#field-server").value = base
        app.screen.query_one("#field-code").value = code
        app.screen.query_one("#field-code").focus()
        await pilot.press("enter", "enter")
        for _ in range(250):
            await pilot.pause(0.02)
            if isinstance(app.screen, ConnectionScreen) and "innej kasy" in status(pilot):
                break
        assert isinstance(app.screen, ConnectionScreen)
        assert "innej kasy" in status(pilot) and "2" in status(pilot), status(pilot)
        assert app.till.sync.connection() == connection and not app.error_guard.errors
    upload(app.till)
    assert len(office.stored(sold)) == 2
    check(app.terminal, office.office, cursors_before=before)


async def test_logout_and_quit_with_unsent_sales_ask_first(make_app) -> None:  # type: ignore[no-untyped-def]
    """Fault: the cashier locks the screen or quits with a sale unsent. Checks: each
    asks first with the count, "no" keeps the till as it was, the unsent sale and its
    ☁ stay; a lock that goes on keeps it too (it goes in the background later)."""
    from ipos_tui.ui.dialogs import ConfirmDialog
    from ipos_tui.ui.screens.login import LoginScreen
    from ipos_tui.ui.screens.registration import RegistrationScreen
    from ui.ui_helpers import enter_code, login, screen_text

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("plus", "enter")
        await pilot.pause()
        await pilot.press("escape")
        assert app.terminal.ledger.pending_summary()[0] == 1
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "Niewysłane transakcje: 1" in screen_text(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, RegistrationScreen) and app.is_running
        await pilot.press("f2", "1")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "Niewysłane transakcje: 1" in screen_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LoginScreen) and app.cashier is not None
        await pilot.press("f2", "1")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.cashier is None
        assert app.terminal.ledger.pending_summary()[0] == 1


# -- a full disk, a read-only data directory ---------------------------------------


def test_disk_full_refuses_the_sale_before_printing_and_selling_resumes(
        tmp_path: Path, demo_dir: Path) -> None:
    """Fault: the till's file system (a real tmpfs) full to the last byte while a
    receipt is open. Checks: paying it raises err.disk_full (no SQLite text, no
    crash), nothing stored, printed or numbered, the receipt still open; when space
    returns the same receipt is paid as number 1, printed once."""
    size = sum(p.stat().st_size for p in demo_dir.iterdir()) + 1024 * 1024
    with tmpfs(tmp_path / "mnt", size) as mount:
        data_dir = till_on(mount, demo_dir)
        with Till.open(data_dir) as till:
            ring_up(till, CASHIER, "1", "1")
            till.terminal.db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # every write needs room
            before, lines = trace(till), len(till.sale.receipt.lines)
            filler = fill(mount)
            with pytest.raises(DomainError) as refused:
                pay_cash(till, CASHIER, NOW)
            assert refused.value.key == "err.disk_full"
            assert "Brak miejsca" in t(refused.value.key, **refused.value.params)
            assert trace(till) == before and len(till.sale.receipt.lines) == lines
            filler.unlink()  # space returns
            stored = pay_cash(till, CASHIER, NOW + timedelta(minutes=1))
            till.printouts.print_document(stored.uuid, NOW, data_dir)
            assert stored.number == before[1] + 1
            assert trace(till) == (before[0] + 1, before[1] + 1, before[2] + 1)
            assert till.sale.receipt.is_empty


def test_a_till_started_on_a_full_disk_says_so_and_starts_once_there_is_room(
        tmp_path: Path, demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fault: the till's file system (a real tmpfs) is full before the till starts
    (not even its lock file's pid fits). Checks: ``Till.open`` raises err.disk_full and
    leaves the data dir unlocked; ``ipos-tui`` exits 2 with the message, no traceback
    (not even logging's own about its log file); the database is unchanged; with room
    again the till opens and sells."""
    size = sum(p.stat().st_size for p in demo_dir.iterdir()) + 1024 * 1024
    with tmpfs(tmp_path / "mnt", size) as mount:
        data_dir = till_on(mount, demo_dir)
        database = digest(data_dir / DB_FILENAME)
        filler = fill(mount)
        with pytest.raises(DomainError) as refused:
            Till.open(data_dir)
        assert refused.value.key == "err.disk_full"
        assert tui_main(["--lang", "pl", "--data-dir", str(data_dir), "export-unsent",
                         str(tmp_path / "x.jsonl")]) == 2
        err = capsys.readouterr().err
        assert "Brak miejsca" in err and "Traceback" not in err
        assert digest(data_dir / DB_FILENAME) == database
        filler.unlink()
        with Till.open(data_dir) as till:
            ring_up(till, CASHIER, "1")
            assert pay_cash(till, CASHIER, NOW).number == 1


def test_read_only_data_dir_refuses_to_start_in_words_and_writes_nothing(
        tmp_path: Path, demo_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Fault: the data directory's file system (a real tmpfs) remounted read-only.
    Checks: ``Till.open`` raises err.storage_readonly and ``ipos-tui`` exits 2 with
    that message (no traceback); no file changed; once writable the till opens and
    sells."""
    size = sum(p.stat().st_size for p in demo_dir.iterdir()) + 4 * 1024 * 1024
    with tmpfs(tmp_path / "mnt", size) as mount:
        data_dir = till_on(mount, demo_dir)
        files = digests(data_dir)
        remount(mount, read_only=True)
        try:
            with pytest.raises(DomainError) as refused:
                Till.open(data_dir)
            assert refused.value.key == "err.storage_readonly"
            assert tui_main(["--lang", "pl", "--data-dir", str(data_dir)]) == 2
            err = capsys.readouterr().err
            assert "tylko do odczytu" in err and "Traceback" not in err
            assert digests(data_dir) == files
        finally:
            remount(mount, read_only=False)
        with Till.open(data_dir) as till:
            ring_up(till, CASHIER, "1")
            assert pay_cash(till, CASHIER, NOW).number == 1


def test_database_turning_read_only_under_a_selling_till(demo_dir: Path) -> None:
    """Fault: SQLITE_READONLY on the till's connection while a receipt is open (what
    SQLite answers when its file can no longer be written; ``PRAGMA query_only``).
    Checks: ringing up and paying raise err.storage_readonly, nothing stored,
    printed or numbered; once writable the same receipt is paid as number 1."""
    with Till.open(demo_dir) as till:
        ring_up(till, CASHIER, "1")
        before = trace(till)
        till.terminal.db.execute_sql("PRAGMA query_only = 1")
        with pytest.raises(DomainError) as refused:
            ring_up(till, CASHIER, "9")  # the open receipt's copy cannot be stored
        assert refused.value.key == "err.storage_readonly"
        with pytest.raises(DomainError) as refused:
            pay_cash(till, CASHIER, NOW)
        assert refused.value.key == "err.storage_readonly"
        assert trace(till) == before and not till.sale.receipt.is_empty
        till.terminal.db.execute_sql("PRAGMA query_only = 0")
        assert pay_cash(till, CASHIER, NOW).number == before[1] + 1


async def test_payment_screen_says_why_when_the_database_cannot_be_written(
        make_app) -> None:  # type: ignore[no-untyped-def]
    """Fault: SQLITE_READONLY at the moment the cashier pays (as above). Checks: the
    payment screen stays, its status line says why in Polish, no printout is shown,
    no unexpected-error dialog; once writable Enter finishes the sale."""
    from ipos_tui.ui.dialogs import TextViewDialog
    from ipos_tui.ui.screens.payment import PaymentScreen
    from ui.ui_helpers import enter_code, login, status

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        await enter_code(pilot, "1")
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        app.terminal.db.execute_sql("PRAGMA query_only = 1")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PaymentScreen)
        assert "tylko do odczytu" in status(pilot)
        assert app.terminal.ledger.last_number() == 0 and not app.error_guard.errors
        app.terminal.db.execute_sql("PRAGMA query_only = 0")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TextViewDialog)
        assert app.terminal.ledger.last_number() == 1


async def test_any_screen_writing_on_a_read_only_database_says_so(make_app) -> None:  # type: ignore[no-untyped-def]
    """Fault: SQLITE_READONLY (``PRAGMA query_only``) while the cashier rings up (the
    open receipt's copy is stored at each line, through the till's sale) and while a
    setting is switched (8. Konfiguracja → 2. Ustawienia → 1. Język: a write no
    use case wraps). Checks: neither says "unexpected error" nor shows SQLite's text:
    both say the data directory is read-only; once writable the sale goes on and is
    stored as number 1."""
    from ipos_tui.ui.dialogs.text_view import ErrorDialog
    from ui.ui_helpers import enter_code, login, screen_text

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        app.terminal.db.execute_sql("PRAGMA query_only = 1")
        await enter_code(pilot, "1")
        await pilot.pause()
        shown = screen_text(pilot)
        assert "tylko do odczytu" in shown and "nieoczekiwany" not in shown, shown
        await pilot.press("f2", "8", "2", "1")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        shown = screen_text(pilot)
        assert "tylko do odczytu" in shown and "readonly" not in shown, shown
        app.errors_expected = True  # contained and said, as the till must
        await pilot.press("escape", "escape", "escape", "escape")
        app.terminal.db.execute_sql("PRAGMA query_only = 0")
        await pilot.pause()
        await enter_code(pilot, "1")
        await pilot.press("plus", "enter")
        await pilot.pause()
        assert app.terminal.ledger.last_number() == 1


# -- a corrupt, foreign or newer database ------------------------------------------


def _garbage(path: Path) -> None:
    path.write_bytes(b"to nie jest baza danych, to lista zakupow\n" * 300)


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.com')")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    Till.open(path.parent).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(("make", "key", "says"), [
    (_garbage, "err.db_corrupt", "uszkodzony"),
    (_foreign, "err.db_foreign", "innego programu"),
    (_newer, "err.db_too_new", "nowszej wersji"),
], ids=["corrupt", "foreign", "newer"])
def test_a_database_the_till_cannot_use_is_refused_and_not_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], make, key: str, says: str) -> None:  # type: ignore[no-untyped-def]
    """Fault: the data dir holds a non-database, another program's SQLite database,
    or a till database of a newer version. Checks: ``Till.open`` raises the key,
    ``ipos-tui --data-dir`` and ``ipos-tui export-unsent`` exit 2 with the message
    (no traceback); the file's sha256 is unchanged and no -wal/-shm appeared."""
    data_dir = tmp_path / "till"
    data_dir.mkdir()
    path = data_dir / DB_FILENAME
    make(path)
    before = digest(path)
    with pytest.raises(DomainError) as refused:
        Till.open(data_dir)
    assert refused.value.key == key
    for argv in ([], ["export-unsent", str(tmp_path / "x.jsonl")]):
        assert tui_main(["--lang", "pl", "--data-dir", str(data_dir), *argv]) == 2
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err
    assert digest(path) == before
    assert sorted(p.name for p in data_dir.iterdir() if p.name.startswith(DB_FILENAME)) == [DB_FILENAME]
    assert not (tmp_path / "x.jsonl").exists()


def test_export_of_unsent_documents_is_atomic(demo_dir: Path, tmp_path: Path) -> None:
    """Fault: the export's target cannot be written (a directory in its place).
    Checks: a quarantined document is exported too; unsent.err_export in words, the
    old export file is not touched, and no export is recorded (a guarded action stays
    refused)."""
    with Till.open(demo_dir) as till:
        ring_up(till, CASHIER, "1")
        first = pay_cash(till, CASHIER, NOW)
        till.terminal.ledger.mark_quarantined(first.uuid, "uuid_conflict")
        good = tmp_path / "good.jsonl"
        assert export_unsent(till.terminal, good) == 1
        assert read_export(good)[0]["uuid"] == first.uuid
        old = good.read_bytes()
        ring_up(till, CASHIER, "1")
        pay_cash(till, CASHIER, NOW)
        assert till.terminal.ledger.unexported_unsent() == 1
        blocked = tmp_path / "blocked"
        blocked.mkdir()
        with pytest.raises(DomainError) as refused:
            export_unsent(till.terminal, blocked)
        assert refused.value.key == "unsent.err_export"
        assert till.terminal.ledger.unexported_unsent() == 1
        assert good.read_bytes() == old and json.loads(old)["number"] == 1
