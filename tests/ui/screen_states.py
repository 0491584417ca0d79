"""Every screen and state of the terminal, as key sequences from a fresh start.

Shared by the snapshot tests (80x24 SVGs) and the console-mode glyph test, so each
state the snapshots show is also checked against the Linux console font.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from textual.pilot import Pilot

from ipos_tui.sync.progress import ItemDone, ItemFailed, ItemProgress, ItemStarted, JobFinished

from ipos_tui.store.db import Terminal
from ipos_tui.till import Till

from ui_helpers import set_catalogue_settings, wait_until

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
#: Jogurt grecki paid by an approved card (through the payment application)
SELL_CARD = [*code("9"), "plus", "asterisk", "enter", "wait:50", "enter", "wait:50", "escape"]
#: two items on "Sprzedaż 1", parked; "Sprzedaż 2" started with one item
PARK_ONE = [*code("1"), *code("9"), "f2", "6", "plus", *code("1401")]

#: the basket paid in cash (receipt K1-000001), then F7 with its code: the return screen
RETURN_SALE = [*BASKET, "plus", *code("5000"), "wait:50", "escape"]
RETURN_OPEN = [*LOGIN, *RETURN_SALE, "f7", *code("K1-000001"), "wait:100"]
#: all the milk, 0,100 kg of the cheese, the discounted yoghurt
RETURN_PICKED = [*RETURN_OPEN, "asterisk", "down", "down", *code("0,100"), "asterisk"]


@dataclass(frozen=True)
class State:
    keys: list[str]
    setup: Callable[[Terminal], None] | None = None
    options: dict[str, object] = field(default_factory=dict)
    #: runs after the keys (e.g. opens a screen fed by scripted engine events)
    after: Callable[[Pilot], Awaitable[None]] | None = None
    #: start from an empty, never activated terminal instead of the demo one
    fresh: bool = False
    #: the terminal's columns and rows (80x24 unless a state shows another size)
    size: tuple[int, int] = (80, 24)


PRODUCTS_DONE = [
    ItemStarted("products", "vat_rates", 5),
    ItemDone("products", "vat_rates"),
    ItemStarted("products", "units", 3),
    ItemDone("products", "units", added=1),
    ItemStarted("products", "categories", 2),
    ItemDone("products", "categories", changed=2),
    ItemStarted("products", "products", 384),
    ItemDone("products", "products", added=3, changed=37, removed=1),
    ItemStarted("products", "barcodes"),
    ItemDone("products", "barcodes", added=3),
    ItemStarted("products", "prices"),
    ItemDone("products", "prices", changed=37),
    ItemStarted("products", "discounts"),
    ItemDone("products", "discounts"),
    JobFinished("products", ok=True),
]
PRODUCTS_RUNNING = [
    *PRODUCTS_DONE[:6],
    ItemStarted("products", "products", 100_000),
    ItemProgress("products", "products", 61_200, 100_000),
    "hold",
]
PRODUCTS_OFFLINE = [
    ItemStarted("products", "vat_rates"),
    ItemFailed("products", "vat_rates", "sync.err.offline", {"server": "http://127.0.0.1:8080"}),
    JobFinished("products", ok=False),
]
TRANSACTIONS_MIXED = [
    ItemStarted("transactions", "000001"),
    ItemDone("transactions", "000001", added=1),
    ItemStarted("transactions", "000002"),
    ItemFailed("transactions", "000002", "sync.err.document_rejected", {"number": 2, "reason": "other_store"}),
    ItemStarted("transactions", "000003"),
    ItemFailed("transactions", "000003", "sync.err.document_not_sent",
               {"number": 3, "reason": "sync.err.offline", "server": "http://127.0.0.1:8080",
                "retry_at": "12:05:30", "retry_in": 30}),
    JobFinished("transactions", ok=False),
]


#: issue 15: the back office failed on sale 2 three rounds running: held, the rest sent
TRANSACTIONS_HELD = [
    ItemStarted("transactions", "000001"),
    ItemStarted("transactions", "000002"),
    ItemStarted("transactions", "000003"),
    ItemDone("transactions", "000001", added=1),
    ItemDone("transactions", "000003", added=1),
    ItemFailed("transactions", "000002", "tillsync.document_held", {"number": 2, "reason": "held:500"}),
    JobFinished("transactions", ok=False),
]

#: nothing pending: the upload job reports no item, only its end
TRANSACTIONS_NOTHING = [JobFinished("transactions", ok=True)]


def _pull_done(job: str, counts: dict[str, int]) -> list[object]:
    events: list[object] = []
    for item, added in counts.items():
        events += [ItemStarted(job, item), ItemDone(job, item, added=added)]
    return [*events, JobFinished(job, ok=True)]


#: the demo's first sync (F2 → 8 → 4 pulls as ``ipos-tui demo`` runs them on start)
FIRST_SYNC_DONE = {
    "config": _pull_done("config", {"company": 1, "stores": 1, "settings": 9, "payment_methods": 4}),
    "users": _pull_done("users", {"users": 4}),
    "products": _pull_done("products", {"vat_rates": 5, "units": 3, "categories": 33, "products": 384,
                                        "barcodes": 404, "prices": 384, "discounts": 5}),
}
FIRST_SYNC_FAILED = {**FIRST_SYNC_DONE, "products": PRODUCTS_OFFLINE}


def scripted_sync(
    job: str | list[str],
    events: list[object] | dict[str, list[object]],
    *,
    title: str | None = None,
    next_step: str | None = None,
) -> Callable[[Pilot], Awaitable[None]]:
    """Open the sync screen of ``job`` (or of several jobs, ``events`` then by job)
    fed by ``events`` instead of the engine (the engine itself is tested against the
    real back office in tests/sync)."""
    jobs = [job] if isinstance(job, str) else job
    by_job = events if isinstance(events, dict) else {jobs[0]: events}

    async def open_screen(pilot: Pilot) -> None:
        from ipos_tui.ui.screens.sync import SyncScreen

        release = threading.Event()

        def runner(name: str):  # type: ignore[no-untyped-def]
            def run(_context, observer, _cancel) -> bool:  # type: ignore[no-untyped-def]
                for event in by_job[name]:
                    if event == "hold":
                        release.wait(2)  # keeps the "running" state for the snapshot
                        return False
                    observer(event)
                return True

            return run

        titles = {"products": "menu.sync_products", "transactions": "menu.sync_transactions"}
        screen = SyncScreen(title or titles[jobs[0]], jobs, runner=runner, next_step=next_step,
                            context_factory=lambda _terminal: contextlib.nullcontext(object()))
        await pilot.app.push_screen(screen)
        await wait_until(pilot, lambda: not screen.running or "hold" in by_job[jobs[-1]] and all(
            (name, getattr(e, "item", "")) in screen.rows
            for name in jobs for e in by_job[name] if hasattr(e, "item")
        ), "the scripted sync's rows")
        await pilot.pause(0.1)

    return open_screen


def _pricey_nine(terminal: Terminal) -> None:
    """Product "9" costs 512,34 zł: one of it is above the NIP receipt limit."""
    from dataclasses import replace

    product = terminal.catalog.find_by_code("9")
    assert product is not None
    terminal.catalog.upsert_products([replace(product, price=51234)])


def _cash_on(terminal: Terminal) -> None:
    set_catalogue_settings(terminal, cash_management=True)


#: login, then "1. Wprowadź" 200,00 zł; the opening's printout closed
CASH_OPEN = [*LOGIN, "1", "wait:50", *code("200,00"), "wait:50", "escape"]
CASH_MENU = ["f2", "2", "wait:50"]
#: 2. Obsługa gotówki → 4. Zamknięcie zmiany: the count form
CASH_CLOSE = [*CASH_MENU, "4", "wait:50"]
CASH_STATES: dict[str, State] = {
    "cash_opening": State(LOGIN, setup=_cash_on),
    "cash_opening_amount": State([*LOGIN, "1", "wait:50", *"20000"], setup=_cash_on),
    "cash_opening_printout": State([*LOGIN, "1", "wait:50", *code("200,00"), "wait:50"], setup=_cash_on),
    "cash_opening_skipped": State([*LOGIN, "2", "wait:50"], setup=_cash_on),
    "cash_menu": State([*CASH_OPEN, *CASH_MENU], setup=_cash_on),
    "cash_withdrawal_refused": State(
        [*CASH_OPEN, *SELL_ONE, *CASH_MENU, "2", "wait:50", *code("300,00"), "wait:50"], setup=_cash_on
    ),
    "cash_withdrawal_printout": State(
        [*CASH_OPEN, *CASH_MENU, "2", "wait:50", *"5000", "asterisk", *code("do banku"), "wait:50"],
        setup=_cash_on,
    ),
    "cash_no_permission": State([*TRAINEE, "2", "wait:50", *CASH_MENU, "2", "wait:50"], setup=_cash_on),
    "cash_state_report": State([*CASH_OPEN, *SELL_ONE, *CASH_MENU, "3", "wait:50"], setup=_cash_on),
    "cash_close_question": State([*CASH_OPEN, *SELL_ONE, *CASH_CLOSE, *code("19500"), "wait:50"], setup=_cash_on),
    "cash_close_printout": State(
        [*CASH_OPEN, *SELL_ONE, *CASH_CLOSE, *code("19500"), "wait:50", "enter", "wait:50"], setup=_cash_on
    ),
    "cash_opening_english": State(LOGIN, setup=_cash_on, options={"language": "en"}),
    # 4. Zamknięcie zmiany: the count form (typed, with its preview), a bad count, the
    # summary with a surplus, the second question for a large difference, in English
    "cash_close_count": State([*CASH_OPEN, *SELL_ONE, *CASH_CLOSE, *"19500"], setup=_cash_on),
    "cash_close_count_error": State([*CASH_OPEN, *CASH_CLOSE, *code("-5"), "wait:50"], setup=_cash_on),
    "cash_close_surplus": State([*CASH_OPEN, *CASH_CLOSE, *code("210,"), "wait:50"], setup=_cash_on),
    "cash_close_large_difference": State(
        [*CASH_OPEN, *CASH_CLOSE, *code("50,00"), "wait:50", "enter", "wait:50"], setup=_cash_on
    ),
    "cash_close_question_english": State(
        [*CASH_OPEN, *SELL_ONE, *CASH_CLOSE, *code("19500"), "wait:50"], setup=_cash_on, options={"language": "en"}
    ),
}


# -- day close and reports ------------------------------------------------------------


def _then(*keys: str, clock_to: tuple[int, int, int] | None = None, reminder: bool = False):  # type: ignore[no-untyped-def]
    """An ``after`` step: move the app's clock (days, hour, minute), check the reminder,
    press ``keys`` and let the day close's worker finish."""

    async def run(pilot: Pilot) -> None:
        if clock_to is not None:
            days, hour, minute = clock_to
            clock = pilot.app.clock  # type: ignore[attr-defined]
            clock.now = clock.now.replace(hour=hour, minute=minute) + timedelta(days=days)
            pilot.app.screen.refresh_top_bar()  # type: ignore[attr-defined]  # not on its timer's whim
        if reminder:
            pilot.app.check_day_close_reminder()  # type: ignore[attr-defined]
        await pilot.press(*keys)
        for _ in range(3):
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run


@contextlib.contextmanager
def unreachable_back_office(terminal: Terminal):  # type: ignore[no-untyped-def]
    """A sync context whose back office is down: nothing listens on 127.0.0.1:1, so
    every request is refused at once (a real refusal, no retries, no sleeping)."""
    from ipos_tui import __version__
    from ipos_tui.sync.client import SyncClient
    from ipos_tui.sync.context import SyncContext

    client = SyncClient("http://127.0.0.1:1", "token", app_version=__version__,
                        sleep=lambda _seconds: None, max_attempts=1)
    with SyncContext(terminal, client) as context:
        yield context


def _day_close_offline(*keys: str):  # type: ignore[no-untyped-def]
    """An ``after`` step: the day close with the back office down, ``keys`` pressed
    at its questions, up to its end."""

    async def run(pilot: Pilot) -> None:
        from ipos_tui.ui.screens.day_close import DayCloseScreen

        await pilot.app.push_screen(DayCloseScreen(context_factory=unreachable_back_office))
        await _then(*keys)(pilot)

    return run


#: two receipts with a line each parked, the current one empty
PARK_TWO = [*code("101"), "f2", "6", "plus", *code("1"), "f2", "6", "plus"]


def _vat_changed(terminal: Terminal) -> None:
    Till(terminal).printer.vat_table()
    terminal.db.execute_sql("UPDATE vat_rate SET rate_bp = 700 WHERE letter = 'B'")


DAY_CLOSE = [*LOGIN, *SELL_ONE, "f2", "3"]
DAY_STATES: dict[str, State] = {
    "day_close_offline": State(DAY_CLOSE, after=_then()),
    "day_close_report_printout": State(DAY_CLOSE, after=_then("enter")),
    "day_close_vat_question": State([*LOGIN, "f2", "3", "wait:300"], setup=_vat_changed),
    "day_close_refused": State([*LOGIN, *code("1"), "f2", "3"]),
    "day_close_english": State(DAY_CLOSE, after=_then(), options={"language": "en"}),
    "day_close_console": State(DAY_CLOSE, after=_then(), options={"console_mode": True}),
    "day_close_network_down": State([*LOGIN, *SELL_ONE], after=_day_close_offline()),
    "day_close_parked_kept": State([*LOGIN, *SELL_ONE, *PARK_TWO, "f2", "3", "wait:300", "escape"],
                                   after=_then()),
    "day_close_parked_kept_english": State([*LOGIN, *SELL_ONE, *PARK_TWO, "f2", "3", "wait:300", "escape"],
                                           after=_then(), options={"language": "en"}),
    "reports_menu": State([*LOGIN, "f2", "4"]),
    "monthly_report_form": State([*LOGIN, "f2", "4", "2"]),
    "monthly_report": State(DAY_CLOSE, after=_then("escape", "f2", "4", "2", "enter")),
    # a sale and a return of part of it: the report's sales and returns per letter apart
    "daily_report_returns_apart": State(
        [*RETURN_PICKED, "plus", "1", "wait:50", "enter", "wait:50", "escape", "f2", "3"],
        after=_then("enter", "down", "down", "down", "down", "down", "down", "down", "down", "down"),
    ),
    "periodic_report_bad_date": State([*LOGIN, "f2", "4", "3", "ctrl+u", *"31.13.2026", "enter"]),
    "day_close_blocked_payment": State(
        [*LOGIN, *SELL_ONE], setup=lambda t: set_catalogue_settings(t, day_close="block"),
        after=_then(*code("1"), "plus", clock_to=(1, 0, 10)),
    ),
    "day_close_reminder": State(
        [*LOGIN, *SELL_ONE], setup=lambda t: set_catalogue_settings(t, day_close="reminder", day_close_time="20:00"),
        after=_then(clock_to=(0, 20, 5), reminder=True),
    ),
}


def _pay_across_midnight(english: bool = False):  # type: ignore[no-untyped-def]
    """An ``after`` step: a sale at 23:50, payment of the next receipt opened at 23:59
    and finished at 00:01 (refused by the commit: the day of 26.11 is still open)."""

    async def run(pilot: Pilot) -> None:
        clock = pilot.app.clock  # type: ignore[attr-defined]
        clock.now = clock.now.replace(hour=23, minute=50)
        await pilot.press(*SELL_ONE)
        await pilot.pause()
        clock.now = clock.now.replace(minute=59)
        await pilot.press(*code("101"), "plus")
        await pilot.pause()
        clock.now = clock.now.replace(hour=0, minute=1) + timedelta(days=1)
        pilot.app.screen.refresh_top_bar()  # type: ignore[attr-defined]  # not on its timer's whim
        await pilot.press("enter")
        await pilot.pause()

    return run


def _crashed_after_commit(terminal: Terminal) -> None:
    """A sale committed as the payment screen does, the till killed before printing."""
    from datetime import datetime, timezone

    from ipos_tui.domain.receipt import Payment, Receipt, ReceiptLine
    from ipos_tui.domain.records import User

    product = terminal.catalog.find_by_code("101")
    assert product is not None
    receipt = Receipt([ReceiptLine(plu=product.plu, name=product.name, unit=product.unit,
                                   precision=product.precision, unit_price=product.price, qty=1000,
                                   vat_letter=product.vat_letter, product_id=product.id)])
    cashier = User(id=1, identifier="1001", name="Anna Kowalska", role="kierownik", permissions=frozenset())
    terminal.ledger.commit_receipt(receipt, [Payment("gotowka", "gotówka", receipt.total)], cashier=cashier,
                                   now=datetime(2026, 11, 26, 11, 58, tzinfo=timezone(timedelta(hours=1))))


DAYRULE_STATES = {
    "dayrule_payment_refused_at_0001": State([*LOGIN], after=_pay_across_midnight()),
    "dayrule_payment_refused_english": State([*LOGIN], after=_pay_across_midnight(), options={"language": "en"}),
    "dayrule_payment_offer_without_option": State(
        [*LOGIN, *SELL_ONE], after=_then(*code("1"), "plus", clock_to=(1, 0, 10)),
    ),
    "dayrule_block_time_offer": State(
        [*LOGIN, *SELL_ONE], setup=lambda t: set_catalogue_settings(t, day_close="block", day_close_time="20:00"),
        after=_then(*code("1"), "plus", clock_to=(0, 20, 5)),
    ),
    "dayrule_deposit_return_refused": State(
        [*LOGIN, *SELL_ONE], after=_then("f2", "9", clock_to=(1, 0, 10)),
    ),
    "dayrule_unprinted_printed_at_start": State([], setup=_crashed_after_commit),
}


def _connected(terminal: Terminal) -> None:
    """The till activated at a back office (not running: the test finds it offline)."""
    from ipos_tui.store.connection import Connection, ConnectionStore

    with terminal.db.atomic():
        ConnectionStore(terminal.db, terminal.models).save(Connection("http://127.0.0.1:1", 1, 1, "token", "Kasa 1"))


def _water_deposit(terminal: Terminal) -> None:
    """The demo catalogue with a 0,50 zł deposit on a bottle of water (as synced)."""
    import dataclasses

    from ipos_tui.demo.terminal import demo_snapshot

    snapshot = demo_snapshot()
    products = tuple(dataclasses.replace(p, deposit=50) if p.name == _WATER.name else p
                     for p in snapshot.products)
    terminal.catalog.replace_all(dataclasses.replace(snapshot, products=products))


def _demo_product(name: str):  # type: ignore[no-untyped-def]
    from ipos_tui.demo.terminal import demo_snapshot

    return next(p for p in demo_snapshot().products if p.name == name)


_WATER = _demo_product("Woda mineralna niegazowana 1,5l")
_GOUDA_PLU = int(_demo_product("Żółty ser Gouda").plu)


def _label(first12: str) -> str:
    from ipos_tui.domain.scale_code import with_check_digit

    return with_check_digit(first12)


_WEIGHED = _label(f"27{_GOUDA_PLU:05d}00457")
_DEPOSIT_SALE = [*LOGIN, *code(_WATER.plu), *code(_WATER.plu), *code("1")]
GROCERY_STATES: dict[str, State] = {
    "grocery_weighed_label": State([*LOGIN, *code(_WEIGHED), *code(_label(f"23{_GOUDA_PLU:05d}01234"))]),
    "grocery_wrong_check_digit": State(
        [*LOGIN, *code(_WEIGHED[:12] + str((int(_WEIGHED[12]) + 1) % 10))]),
    "grocery_deposit_sale": State(_DEPOSIT_SALE, setup=_water_deposit),
    "grocery_deposit_payment": State([*_DEPOSIT_SALE, "plus"], setup=_water_deposit),
    "grocery_deposit_printout": State([*_DEPOSIT_SALE, "plus", "enter", "wait:50"], setup=_water_deposit),
    "grocery_deposit_return_form": State([*LOGIN, "f2", "9", *code("12")]),
    "grocery_deposit_return_printout": State([*LOGIN, "f2", "9", *code("12"), "enter", "wait:50"]),
}


MANAGER = [*"1001", "enter", *"1111", "enter", "wait:50"]
#: the stażysta's F4 → 2 (a free percent discount): the manager's dialog
TRAINEE_DISCOUNT = [*TRAINEE, *code("9"), "f4", "2", "wait:50"]
#: permissions per menu item and the manager's authorisation (ui/dialogs/authorise.py)
PERM_STATES: dict[str, State] = {
    "authorise_dialog": State(TRAINEE_DISCOUNT),
    "authorise_wrong_pin": State([*TRAINEE_DISCOUNT, *"1001", "enter", *"9999", "enter"]),
    "authorise_not_allowed": State([*TRAINEE, *code("1"), "number_sign", "number_sign", *"1002", "enter",
                                    *"2222", "enter"]),
    "authorise_dialog_english": State(TRAINEE_DISCOUNT, options={"language": "en"}),
    "authorise_cancelled": State([*TRAINEE_DISCOUNT, "escape"]),
    "user_menu_trainee": State([*TRAINEE, "f2"]),
    "discount_menu_trainee": State([*TRAINEE, *code("9"), "f4"]),
    "reports_menu_trainee": State([*TRAINEE, "f2", "4"]),
    "printout_authorised": State([*TRAINEE_DISCOUNT, *MANAGER, *code("10"), "plus", *code("1000"), "wait:50"]),
    "connection_address_form": State([*LOGIN, "f2", "8", "3", "3", *MANAGER], setup=_connected),
}


def scripted_update(outcome: str) -> Callable[[Pilot], Awaitable[None]]:
    """Open 8 → 4 → 5 fed by a scripted updater: "downloading" (held at 30 %),
    "staged" or "refused" (the real updater is tested against the real back office
    in tests/updates)."""

    async def open_screen(pilot: Pilot) -> None:
        from datetime import UTC, datetime

        from ipos_tui.domain.errors import DomainError
        from ipos_tui.protocol import ReleaseMetadata
        from ipos_tui.ui.screens.update import UpdateScreen
        from ipos_tui.updates.download import DownloadCancelled, DownloadProgress
        from ipos_tui.updates.paths import UpdatePaths
        from ipos_tui.updates.staging import mark_staged, read_staged
        from ipos_tui.updates.updater import CheckResult

        release = threading.Event()
        meta = ReleaseMetadata(version="0.2.0", sha256="0" * 64, size=24_183_632,
                               url="/api/v1/releases/files/ipos-tui-0.2.0.zip",
                               channel="stable", expires=datetime(2026, 12, 27, tzinfo=UTC))
        data_dir = pilot.app.data_dir  # type: ignore[attr-defined]

        class Scripted:
            def check(self) -> CheckResult:
                if outcome == "refused":
                    raise DomainError("update.err_unknown_key", key_id="5f0c2a9e81d7b3c4")
                return CheckResult("available", "0.1.0", meta, {})

            def download_and_stage(self, found, *, progress, cancelled):  # type: ignore[no-untyped-def]
                progress(DownloadProgress(7_340_032, meta.size, 41_600.0))
                if outcome == "downloading":
                    release.wait(2)  # keeps the "downloading" state for the snapshot
                    raise DownloadCancelled
                paths = UpdatePaths(data_dir)
                paths.staged_dir("0.2.0").mkdir(parents=True, exist_ok=True)
                mark_staged(paths, meta, {}, {})
                progress(DownloadProgress(meta.size, meta.size, 52_300.0))
                return read_staged(data_dir)

        screen = UpdateScreen(updater_factory=lambda _terminal: contextlib.nullcontext(Scripted()))
        await pilot.app.push_screen(screen)
        await wait_until(pilot, lambda: screen.state in ("available", "refused"), "the update check")
        if outcome != "refused":
            await pilot.press("enter")
            wanted = "downloading" if outcome == "downloading" else "staged"
            await wait_until(pilot, lambda: screen.state == wanted and screen.done_bytes, f"the update {wanted}")
        await pilot.pause(0.1)

    return open_screen


async def _held_and_conflict(pilot: Pilot, *keys: str) -> None:
    """Three sales: the first sent, the second held by the till (the back office
    answered 500 for it three rounds running), the third answered "uuid_conflict"
    with the back office's version (issue 15 items 1 and 4); then 5. Transakcje."""
    from datetime import UTC, datetime

    ledger = pilot.app.terminal.ledger  # type: ignore[attr-defined]
    docs = sorted(ledger.list_documents(), key=lambda doc: doc.number)
    now = datetime.now(UTC)
    ledger.apply_upload_results([docs[0].uuid], [(docs[1].uuid, "held:500"),
                                                  (docs[2].uuid, "uuid_conflict")], now)
    ledger.record_upload_conflict(docs[2].uuid, {
        "type": "receipt", "number": docs[2].number, "total": 1198, "line_count": 2,
        "lines": [{"name": "Mleko 3,2% 1l", "qty": 2000, "value": 698},
                  {"name": "Bułka kajzerka", "qty": 1000, "value": 500}]}, now)
    await pilot.press("f2", "5", *keys)
    await pilot.pause()


def _then_held(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def after(pilot: Pilot) -> None:
        await _held_and_conflict(pilot, *keys)

    return after


STATES: dict[str, State] = {
    # issue 15: a held sale and a uuid conflict in 5. Transakcje, the conflict opened
    "tillsync_transactions": State([*LOGIN, *SELL_ONE, *SELL_ONE, *SELL_ONE],
                                   after=_then_held()),
    "tillsync_transactions_english": State([*LOGIN, *SELL_ONE, *SELL_ONE, *SELL_ONE],
                                           after=_then_held(), options={"language": "en"}),
    "tillsync_sync_held": State(LOGIN, after=scripted_sync("transactions", TRANSACTIONS_HELD)),
    "tillsync_conflict": State([*LOGIN, *SELL_ONE, *SELL_ONE, *SELL_ONE],
                               after=_then_held("enter", "wait:50")),
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
    "category_search_menu": State([*LOGIN, "asterisk", "f3", "3"]),
    "category_search_narrowed": State([*LOGIN, "asterisk", "f3", "3", "1"]),
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
    # issue 14: Paragon z NIP above 450 zł gross warns and offers a Faktura
    "payment_nip_receipt_over_450": State(
        [*LOGIN, *code("9"), "plus", "f3", "3", "wait:50"], setup=_pricey_nine
    ),
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
    "sync_products_done": State(LOGIN, after=scripted_sync("products", PRODUCTS_DONE)),
    "sync_products_running": State(LOGIN, after=scripted_sync("products", PRODUCTS_RUNNING)),
    "sync_products_offline": State(LOGIN, after=scripted_sync("products", PRODUCTS_OFFLINE)),
    "sync_transactions": State(LOGIN, after=scripted_sync("transactions", TRANSACTIONS_MIXED)),
    "sync_transactions_nothing": State(LOGIN, after=scripted_sync("transactions", TRANSACTIONS_NOTHING)),
    "sync_transactions_nothing_english": State(
        LOGIN, after=scripted_sync("transactions", TRANSACTIONS_NOTHING), options={"language": "en"}
    ),
    "sync_first_done": State([], after=scripted_sync(
        ["config", "users", "products"], FIRST_SYNC_DONE, title="sync.title_first", next_step="sync.next_login")),
    "sync_first_failed": State([], after=scripted_sync(
        ["config", "users", "products"], FIRST_SYNC_FAILED, title="sync.title_first", next_step="sync.next_login")),
    "sync_first_done_english": State([], options={"language": "en"}, after=scripted_sync(
        ["config", "users", "products"], FIRST_SYNC_DONE, title="sync.title_first", next_step="sync.next_login")),
    "sync_not_activated": State([*LOGIN, "f2", "8", "4", "1", "wait:200"]),
    "sync_menu": State([*LOGIN, "f2", "8", "4"]),
    "update_downloading": State(LOGIN, after=scripted_update("downloading")),
    "update_staged": State(LOGIN, after=scripted_update("staged")),
    "update_refused": State(LOGIN, after=scripted_update("refused")),
    "connection": State([*LOGIN, "f2", "8", "3"]),
    "first_start_activation": State([], fresh=True),
    "first_start_activation_form": State(["1", "wait:50", *"127.0.0.1:1"], fresh=True),
    "lock_with_unsent": State([*LOGIN, *SELL_ONE, "f2", "1"]),
    "service_transactions_menu": State(["f2", "2", "wait:50", *"SERVIS", "enter", "wait:50", "1"]),
    "registration_english": State([*LOGIN, *BASKET], options={"language": "en"}),
    "payment_english": State([*LOGIN, *BASKET, "plus"], options={"language": "en"}),
    "registration_console": State([*LOGIN, *BASKET], options={"console_mode": True}),
    "transactions_console": State([*LOGIN, *SELL_ONE, "f2", "5"], options={"console_mode": True}),
    "parked_second_receipt": State([*LOGIN, *PARK_ONE]),
    "parked_list": State([*LOGIN, *PARK_ONE, "f2", "6"]),
    "parked_delete_question": State([*LOGIN, *PARK_ONE, "f2", "6", "up", "delete"]),
    "parked_list_english": State([*LOGIN, *PARK_ONE, "f2", "6"], options={"language": "en"}),
    # simulated devices: 8 → 5. Drukarka fiskalna, 8 → 6. Aplikacja płatnicza
    "printer_menu": State([*LOGIN, "f2", "8", "5", "wait:50"]),
    "printer_vat_table": State([*LOGIN, *SELL_ONE, "f2", "8", "5", "1", "wait:50"]),
    "printer_state": State([*LOGIN, *SELL_ONE, "f2", "8", "5", "2", "wait:50"]),
    "printer_journal": State([*LOGIN, *SELL_ONE, *SELL_ONE, *SELL_CARD, "f2", "8", "5", "3", "wait:50"]),
    "printer_journal_search": State([*LOGIN, *SELL_ONE, *SELL_CARD, "f2", "8", "5", "3", "wait:50", *"jogurt"]),
    "printer_journal_printout": State(
        [*LOGIN, *SELL_ONE, *SELL_CARD, "f2", "8", "5", "3", "wait:50", *"jogurt", "enter", "wait:50"]
    ),
    "card_app_menu": State([*LOGIN, "f2", "8", "6", "wait:50"]),
    "card_transactions": State([*LOGIN, *SELL_CARD, *SELL_CARD, "f2", "8", "6", "1", "wait:50"]),
    "card_settle_question": State([*LOGIN, *SELL_CARD, "f2", "8", "6", "2", "wait:50"]),
    "card_settlement_printout": State([*LOGIN, *SELL_CARD, "f2", "8", "6", "2", "wait:50", "enter", "wait:50"]),
    # returns: F7 on an empty receipt, or Z in 5. Transakcje
    "return_code_form": State([*LOGIN, "f7", *"K1-000001"]),
    "return_lines": State(RETURN_OPEN),
    "return_picked": State(RETURN_PICKED),
    "return_refund_menu": State([*RETURN_PICKED, "plus"]),
    "return_confirm": State([*RETURN_PICKED, "plus", "1", "wait:50"]),
    "return_printout": State([*RETURN_PICKED, "plus", "1", "wait:50", "enter", "wait:50"]),
    "return_not_found": State([*LOGIN, "f7", *code("K1-000099"), "wait:100"]),
    "return_no_permission": State([*TRAINEE, "f7"]),
    **PERM_STATES,
    "return_in_transactions": State(
        [*LOGIN, *RETURN_SALE, "f2", "5", "z", "wait:100", "asterisk", "plus", "1", "wait:50", "enter",
         "wait:50", "escape"]
    ),
    "return_lines_console": State(RETURN_PICKED, options={"console_mode": True}),
    "return_lines_english": State(RETURN_PICKED, options={"language": "en"}),
    "printer_journal_english": State(
        [*LOGIN, *SELL_ONE, *SELL_CARD, "f2", "8", "5", "3", "wait:50"], options={"language": "en"}
    ),
    # the main screens on the smallest and a large terminal the layout is made for
    **{
        f"{name}_{width}x{height}": State(keys, size=(width, height))
        for width, height in ((60, 20), (132, 43))
        for name, keys in (
            ("login", []),
            ("registration_basket", [*LOGIN, *BASKET]),
            ("registration_name_search", [*LOGIN, "asterisk", *"ser"]),
            ("payment", [*LOGIN, *BASKET, "plus", *"5000"]),
            ("user_menu", [*LOGIN, "f2"]),
            ("transactions", [*LOGIN, *SELL_ONE, *SELL_ONE, "f2", "5"]),
            ("printout", [*LOGIN, *BASKET, "plus", *code("5000"), "wait:50"]),
        )
    },
    # cash management (on in the back office): opening cash, 2. Obsługa gotówki
    **CASH_STATES,
    # 3. Raport dobowy, 4. Raporty, the midnight block and the reminder
    **DAY_STATES,
    # label-scale codes and deposits (issue 14, item 7)
    **GROCERY_STATES,
    # the fiscal day refused across midnight; documents printed late at start (issue 14)
    **DAYRULE_STATES,
}


# -- invoices after the sale and who sees parked receipts (issue 14 items 3 and 6) ---

#: Jogurt grecki sold on a "Paragon z NIP" (K1-000001)
_NIP_SALE = [*code("9"), "plus", "f3", "3", "wait:50", *code("5261045731"), "enter", "wait:50", "escape"]
#: Jogurt grecki ×2 and Mleko sold on a Faktura (K1-000001, FV/K1/11/2026/0001)
_FAKTURA_SALE = [
    *code("9"), *code("9"), *code("1"), "plus", "f3", "1", "wait:50", *code("5261045731"),
    *code("Firma Testowa sp. z o.o."), *code("ul. Prosta 1, 00-001 Warszawa"), "enter", "wait:50", "escape",
]
_INVOICE_FORM = [*LOGIN, *_NIP_SALE, "f2", "5", "wait:50", "f", "wait:50"]


def _parked_own(terminal: Terminal) -> None:
    set_catalogue_settings(terminal, parked_receipts_visible="own")


STATES.update({
    # "F" on a Paragon z NIP in 5. Transakcje: the buyer's name and address asked
    "invoice_for_receipt_form": State(_INVOICE_FORM),
    # ... and the non-fiscal invoice printed for it
    "invoice_for_receipt_printout": State(
        [*_INVOICE_FORM, *code("Firma Testowa sp. z o.o."), *code("ul. Prosta 1, 00-001 Warszawa"), "wait:50"]
    ),
    # "F" on a plain receipt: refused, saying why
    "invoice_for_receipt_refused": State([*LOGIN, *SELL_ONE, "f2", "5", "wait:50", "f"]),
    # the return screen of a Faktura: it says the return makes a correcting invoice
    "return_of_invoice": State([*LOGIN, *_FAKTURA_SALE, "f7", *code("K1-F000001"), "wait:100"]),
    # a return of one yoghurt of a Faktura, cash chosen: why is the invoice corrected?
    "return_correction_reason": State(
        [*LOGIN, *_FAKTURA_SALE, "f7", *code("K1-F000001"), "wait:100", *code("1"), "plus", "1", "wait:50"]
    ),
    # ... "Reklamacja towaru": the end of its correcting invoice
    "return_correction_printout": State(
        [*LOGIN, *_FAKTURA_SALE, "f7", *code("K1-F000001"), "wait:100", *code("1"), "plus", "1", "wait:50",
         "2", "wait:50", "enter", "wait:100"]
    ),
    # "own": cashier 1002 does not see 1001's parked receipts
    "parked_own_other_cashier": State(
        [*LOGIN, *PARK_ONE, "f2", "1", "wait:50", "1", "0", "0", "2", "enter", "2", "2", "2", "2", "enter",
         "wait:50", "f2", "6", "wait:50"],
        setup=_parked_own,
    ),
})
