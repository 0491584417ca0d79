"""Check → download → verify → stage against the real back office (uvicorn on 127.0.0.1).

Every refusal the issue names is provoked for real: a tampered file in the back
office's release store, a key the terminal does not trust, a downgrade, metadata
that expired, a signature over other bytes; and an interrupted download resumes
with an HTTP Range request.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ipos_tui.domain.errors import DomainError
from ipos_tui.updates.download import DownloadProgress, part_path
from ipos_tui.updates.paths import UpdatePaths
from ipos_tui.updates.staging import read_staged

from update_support import Shop


class Interrupt(Exception):
    """Raised from the progress callback: the connection 'drops' mid-file."""


def test_nothing_published_is_no_release(shop: Shop) -> None:
    with shop.updater() as updater:
        assert updater.check().status == "no_release"


def test_newer_release_is_downloaded_verified_and_staged(shop: Shop) -> None:
    shop.publish("0.2.0")
    seen: list[DownloadProgress] = []
    with shop.updater() as updater:
        found = updater.check()
        assert found.status == "available" and found.version == "0.2.0"
        staged = updater.download_and_stage(found, progress=seen.append)
        assert updater.check().status == "staged"
    assert staged.version == "0.2.0"
    assert list(staged.wheels) == ["ipos_tui-0.2.0-py3-none-any.whl"]
    assert read_staged(shop.terminal.data_dir) is not None
    assert seen[-1].done == seen[-1].total == found.metadata.size  # type: ignore[union-attr]
    log = UpdatePaths(shop.terminal.data_dir).log_file.read_text("utf-8")
    assert "0.2.0 staged" in log


def test_same_version_is_up_to_date(shop: Shop) -> None:
    shop.publish("0.1.0")
    with shop.updater(current="0.1.0") as updater:
        assert updater.check().status == "up_to_date"


def test_older_version_is_refused_as_downgrade(shop: Shop) -> None:
    shop.publish("0.0.9")
    with shop.updater(current="0.1.0") as updater, pytest.raises(DomainError) as caught:
        updater.check()
    assert caught.value.key == "update.err_downgrade"
    assert caught.value.params == {"version": "0.0.9", "current": "0.1.0"}
    log = UpdatePaths(shop.terminal.data_dir).log_file.read_text("utf-8")
    assert "update.err_downgrade" in log


def test_release_signed_by_an_untrusted_key_is_refused(shop: Shop, tmp_path: Path) -> None:
    from ipos_tui.backoffice.releases import keygen

    other = keygen(tmp_path / "other-keys")
    shop.publish("0.2.0", key=other["private_key"])
    with shop.updater() as updater, pytest.raises(DomainError) as caught:
        updater.check()
    assert caught.value.key == "update.err_unknown_key"
    assert caught.value.params["key_id"] == other["key_id"]


def test_metadata_changed_after_signing_is_refused(shop: Shop) -> None:
    shop.publish("0.2.0")
    latest = shop.store.root / "stable" / "latest.json"
    signed = json.loads(latest.read_text("utf-8"))
    signed["metadata"]["size"] += 1  # e.g. to make room for something else
    latest.write_text(json.dumps(signed), "utf-8")
    with shop.updater() as updater, pytest.raises(DomainError) as caught:
        updater.check()
    assert caught.value.key == "update.err_signature"


def test_expired_metadata_is_refused(shop: Shop) -> None:
    shop.publish("0.2.0", expires_days=1)
    later = datetime.now(UTC) + timedelta(days=2)
    with shop.updater(clock=lambda: later) as updater, pytest.raises(DomainError) as caught:
        updater.check()
    assert caught.value.key == "update.err_expired"
    assert caught.value.params["version"] == "0.2.0"


def test_tampered_file_is_refused_and_not_kept(shop: Shop) -> None:
    signed = shop.publish("0.2.0")
    name = signed["metadata"]["url"].rsplit("/", 1)[-1]
    path = shop.store.files / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other bytes
    path.write_bytes(bytes(data))
    with shop.updater() as updater:
        found = updater.check()  # the metadata itself is genuine
        with pytest.raises(DomainError) as caught:
            updater.download_and_stage(found)
    assert caught.value.key == "update.err_sha256"
    downloads = UpdatePaths(shop.terminal.data_dir).downloads
    assert list(downloads.iterdir()) == []  # a tampered file is never resumed
    assert read_staged(shop.terminal.data_dir) is None


def test_file_of_another_size_is_refused(shop: Shop) -> None:
    signed = shop.publish("0.2.0")
    path = shop.store.files / signed["metadata"]["url"].rsplit("/", 1)[-1]
    path.write_bytes(path.read_bytes() + b"extra bytes")
    with shop.updater() as updater:
        found = updater.check()
        with pytest.raises(DomainError) as caught:
            updater.download_and_stage(found)
    assert caught.value.key == "update.err_size"
    assert read_staged(shop.terminal.data_dir) is None


def test_interrupted_download_resumes_with_a_range_request(shop: Shop) -> None:
    # a bigger wheel so the file arrives in several chunks
    filler = {"ipos_tui_marker/blob.txt": "x" * 10 + "".join(
        f"{i:08x}" for i in range(60_000))}
    from ipos_tui.backoffice.releases import publish
    from update_support import fake_wheel

    wheel = fake_wheel(shop.root / "dist-big", "0.2.0", files=filler)
    publish(shop.store, wheel, Path(shop.key["private_key"]), no_deps=True)
    first: list[DownloadProgress] = []

    def drop_after_two_chunks(p: DownloadProgress) -> None:
        first.append(p)
        if len(first) >= 3:
            raise Interrupt

    with shop.updater() as updater:
        found = updater.check()
        assert found.metadata is not None
        with pytest.raises(Interrupt):
            updater.download_and_stage(found, progress=drop_after_two_chunks)
        part = part_path(UpdatePaths(shop.terminal.data_dir).downloads, found.metadata.sha256)
        kept = part.stat().st_size
        assert 0 < kept < found.metadata.size
        second: list[DownloadProgress] = []
        staged = updater.download_and_stage(found, progress=second.append)
    assert second[0].resumed_from == kept and second[0].done == kept
    assert second[-1].done == found.metadata.size
    assert staged.version == "0.2.0"
    assert not part.exists()


def test_release_endpoints_need_a_terminal_token_and_serve_ranges(shop: Shop) -> None:
    signed = shop.publish("0.2.0")
    url = signed["metadata"]["url"]
    with httpx.Client(base_url=shop.url) as http:
        assert http.get("/api/v1/releases/latest").status_code == 401
        assert http.get(url).status_code == 401
    from ipos_tui.store.connection import ConnectionStore

    token = ConnectionStore(shop.terminal.db, shop.terminal.models).get().token  # type: ignore[union-attr]
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    whole = (shop.store.files / url.rsplit("/", 1)[-1]).read_bytes()
    with httpx.Client(base_url=shop.url, headers=headers) as http:
        assert http.get("/api/v1/releases/latest", params={"channel": "beta"}).json()[
            "error"] == "release_none"
        part = http.get(url, headers={"Range": "bytes=100-"})
        assert part.status_code == 206
        assert part.content == whole[100:]
        assert http.get(url, headers={"Range": f"bytes={len(whole)}-"}).status_code == 416
        assert http.get("/api/v1/releases/files/..%2Fstable%2Flatest.json").status_code == 404
        assert http.get("/api/v1/releases/latest").json() == signed_without_wheels(signed)


def signed_without_wheels(signed: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in signed.items() if k != "wheels"}


def test_other_channel_is_separate(shop: Shop) -> None:
    shop.publish("0.3.0", channel="beta")
    with shop.updater() as updater:
        assert updater.check().status == "no_release"
    with shop.updater(channel="beta") as updater:
        assert updater.check().version == "0.3.0"


def test_wheelhouse_that_cannot_install_here_is_not_staged(shop: Shop) -> None:
    """Published with --no-deps although the wheel needs a dependency the terminal
    lacks: the pip dry run at staging refuses it, long before any day close."""
    from ipos_tui.backoffice.releases import publish
    from update_support import fake_wheel

    wheel = fake_wheel(shop.root / "needy", "0.2.0", requires=("dependency-nobody-has>=1",))
    publish(shop.store, wheel, Path(shop.key["private_key"]), no_deps=True)
    with shop.updater() as updater:
        found = updater.check()
        with pytest.raises(DomainError) as caught:
            updater.download_and_stage(found)
    assert caught.value.key == "update.err_not_installable"
    assert "dependency-nobody-has" in caught.value.params["detail"]
    assert read_staged(shop.terminal.data_dir) is None
    assert not UpdatePaths(shop.terminal.data_dir).staged_dir("0.2.0").exists()
