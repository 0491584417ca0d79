"""Helpers of the local-fault tests (tests/reliability/test_local_faults.py): a real
small tmpfs to fill up or remount read-only, file digests, and what a till has
printed and numbered (to show a refused sale left no trace)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ipos_tui.domain.receipt import Payment
from ipos_tui.domain.records import StoredDocument, User
from ipos_tui.till import Till


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def digests(directory: Path) -> dict[str, str]:
    """sha256 of every file in ``directory`` (the lock file's pid aside)."""
    return {p.name: digest(p) for p in sorted(directory.iterdir())
            if p.is_file() and p.name != "terminal.lock"}


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextmanager
def tmpfs(where: Path, size_bytes: int) -> Iterator[Path]:
    """A real tmpfs of ``size_bytes`` mounted at ``where`` (root only: the test is
    skipped where mounting is not allowed, e.g. an unprivileged CI runner)."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={size_bytes},mode=0700",
                                       "tmpfs", str(where)):
        pytest.skip("a tmpfs cannot be mounted here (needs root)")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount(where: Path, *, read_only: bool) -> None:
    assert _mount("-o", "remount," + ("ro" if read_only else "rw"), str(where)), where


def till_on(mount: Path, template: Path, name: str = "till") -> Path:
    """A copy of the till data dir ``template`` on the mounted file system."""
    target = mount / name
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("*.lock", "*.log"))
    return target


def fill(mount: Path) -> Path:
    """Fill the file system to the last byte (ENOSPC); the filler file is returned
    to be removed when "space returns"."""
    filler = mount / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError:
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]
    finally:
        os.close(fd)
    return filler


def ring_up(till: Till, cashier: User, *codes: str) -> None:
    """Ring ``codes`` up on the till's open receipt and store it (as the screen does)."""
    for code in codes:
        product = till.sale.find(code)
        assert not isinstance(product, tuple)
        till.sale.add(till.sale.line(product))
    till.sale.save(cashier.id)


def pay_cash(till: Till, cashier: User, now: object) -> StoredDocument:
    total = till.sale.receipt.total
    return till.sale.pay([Payment("gotowka", "gotówka", total)], cashier=cashier,
                         now=now)  # type: ignore[arg-type]


def trace(till: Till) -> tuple[int, int, int]:
    """(documents, last receipt number, printouts in the printer's journal)."""
    documents = till.terminal.db.execute_sql("SELECT count(*) FROM document").fetchone()[0]
    return int(documents), till.terminal.ledger.last_number(), len(till.printer.journal())
