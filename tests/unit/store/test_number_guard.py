"""The numbering guard (issue 18, a till database put back from an old copy): the
counters kept once more beside the database, raised on open when the database went
back; never ahead of a commit that rolled back; a torn, foreign or unwritable guard
loses nothing and stops nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from terminal_support import CASHIER, NOW, receipt_of

from ipos_tui.domain.errors import DomainError
from ipos_tui.domain.receipt import Payment
from ipos_tui.store.db import Terminal, open_terminal
from ipos_tui.store.ledger.guard import GUARD_FILENAME

MLEKO = "1"


def _sell(terminal: Terminal) -> int:
    receipt = receipt_of(terminal, [(MLEKO, 1000)])
    return terminal.ledger.commit_receipt(
        receipt, [Payment("gotowka", "gotówka", receipt.total)], cashier=CASHIER, now=NOW).number


def _copy_db(data: Path, dest: Path) -> None:
    shutil.copyfile(data / "terminal.sqlite3", dest)


def _put_back(copy: Path, data: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (data / f"terminal.sqlite3{suffix}").unlink(missing_ok=True)
    shutil.copyfile(copy, data / "terminal.sqlite3")


def _guard(data: Path) -> dict:
    return json.loads((data / GUARD_FILENAME).read_text())


def test_a_database_put_back_goes_on_above_its_guard(demo_dir: Path, tmp_path: Path) -> None:
    with open_terminal(demo_dir) as terminal:
        assert [_sell(terminal) for _ in range(2)] == [1, 2]
        terminal.db.close()
        _copy_db(demo_dir, tmp_path / "copy")
        terminal.db.connect()
        assert [_sell(terminal) for _ in range(3)] == [3, 4, 5]
        assert _guard(demo_dir)["numbers"]["receipt"] == 5
    _put_back(tmp_path / "copy", demo_dir)
    with open_terminal(demo_dir) as terminal:
        assert terminal.ledger.last_number("receipt") == 5
        assert _sell(terminal) == 6
    with open_terminal(demo_dir) as terminal:  # level now: nothing raised again
        assert _sell(terminal) == 7


def test_a_commit_that_rolls_back_never_raises_the_guard(demo_terminal: Terminal) -> None:
    assert _sell(demo_terminal) == 1
    receipt = receipt_of(demo_terminal, [(MLEKO, 1000)])
    with pytest.raises(DomainError):  # unpaid: refused inside the commit, no number used
        demo_terminal.ledger.commit_receipt(receipt, [], cashier=CASHIER, now=NOW)
    assert _guard(demo_terminal.data_dir)["numbers"]["receipt"] == 1
    assert _sell(demo_terminal) == 2


def test_the_guard_waits_for_the_transaction_around_the_sale(demo_terminal: Terminal) -> None:
    """The till pays a receipt inside a transaction that also removes its open copy: the
    guard is written when that one commits. Rolled back (a kill before its COMMIT does
    the same), the guard stays behind, and the next sale takes the number again."""
    assert _sell(demo_terminal) == 1

    class Killed(Exception):
        pass

    with pytest.raises(Killed), demo_terminal.db.atomic("IMMEDIATE"):
        assert _sell(demo_terminal) == 2
        assert _guard(demo_terminal.data_dir)["numbers"]["receipt"] == 1
        raise Killed
    assert _guard(demo_terminal.data_dir)["numbers"]["receipt"] == 1
    with demo_terminal.db.atomic("IMMEDIATE"):
        assert _sell(demo_terminal) == 2
        assert _guard(demo_terminal.data_dir)["numbers"]["receipt"] == 1
    assert _guard(demo_terminal.data_dir)["numbers"]["receipt"] == 2


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"db": 1, "numbers": {}}',
                                     b'{"db": "x", "numbers": []}', b"\xff\xfe",
                                     b'{"db": "x", "numbers": {"receipt": "many"}}'])
def test_a_torn_or_odd_guard_is_written_anew(demo_dir: Path, content: bytes) -> None:
    with open_terminal(demo_dir) as terminal:
        assert _sell(terminal) == 1
    (demo_dir / GUARD_FILENAME).write_bytes(content)
    with open_terminal(demo_dir) as terminal:
        assert _sell(terminal) == 2
        assert _guard(demo_dir)["numbers"]["receipt"] == 2


def test_the_guard_of_another_database_is_replaced(demo_dir: Path, tmp_path: Path) -> None:
    """A new database (a new disk, a fresh start) starts at 1 whatever guard lies there."""
    with open_terminal(demo_dir) as terminal:
        for _ in range(4):
            _sell(terminal)
    guard = (demo_dir / GUARD_FILENAME).read_bytes()
    other = tmp_path / "other"
    with open_terminal(other) as terminal:
        (other / GUARD_FILENAME).write_bytes(guard)
    with open_terminal(other) as terminal:
        assert terminal.ledger.last_number("receipt") == 0
        assert _guard(other)["db"] != json.loads(guard)["db"]


def test_an_unwritable_guard_stops_no_sale(demo_dir: Path) -> None:
    with open_terminal(demo_dir) as terminal:
        (demo_dir / GUARD_FILENAME).unlink()
        (demo_dir / GUARD_FILENAME).mkdir()  # cannot be written as a file
        assert _sell(terminal) == 1
        assert _sell(terminal) == 2
