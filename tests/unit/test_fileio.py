"""Atomic file writes (:mod:`ipos_tui.fileio`): the old file or the new one, never half;
no temporary file left behind; the mode asked for, whatever the umask."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ipos_tui import fileio


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_text_and_bytes_replace_the_file_and_leave_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "file.txt"
    fileio.write_atomic(target, "zażółć\n")
    assert target.read_text("utf-8") == "zażółć\n"
    fileio.write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]


def test_the_mode_is_exact_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        fileio.write_atomic(tmp_path / "shared", "x", mode=0o644)
        fileio.write_atomic(tmp_path / "private", "x", mode=0o600)
    finally:
        os.umask(old)
    assert (_mode(tmp_path / "shared"), _mode(tmp_path / "private")) == (0o644, 0o600)


def test_without_a_mode_the_file_is_as_open_makes_it(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        fileio.write_atomic(tmp_path / "plain", "x")
        (tmp_path / "reference").write_text("x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "plain") == _mode(tmp_path / "reference") == 0o644


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "state.json"
    fileio.write_json_atomic(target, {"version": 1})

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        fileio.write_json_atomic(target, {"version": 2})
    assert json.loads(target.read_text("utf-8")) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_json_is_indented_keeps_non_ascii_and_takes_a_default(tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    fileio.write_json_atomic(target, {"name": "Łódź", "at": Path("/x")}, default=str)
    assert target.read_text("utf-8") == '{\n  "name": "Łódź",\n  "at": "/x"\n}'
