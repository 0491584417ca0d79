"""Versions (PEP 440 order, no downgrade), keys (generation with 0600, trust-key,
what counts as a trusted key) and the verification order of signed metadata."""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ipos_tui.backoffice.releases import keygen, load_private_key, sign_metadata
from ipos_tui.domain.errors import DomainError
from ipos_tui.updates.keys import load_public_key, trust_key, trusted_keys
from ipos_tui.updates.metadata import check_newer, verify_signed
from ipos_tui.updates.version import is_newer, parse_version

ORDERED = ["0.9", "1.0.dev1", "1.0a1", "1.0a2.dev3", "1.0b1", "1.0rc1", "1.0", "1.0.post1",
           "1.0.1", "1.1", "1.10", "2!0.1"]


@pytest.mark.parametrize("older,newer", list(zip(ORDERED, ORDERED[1:])))
def test_versions_order_like_pep_440(older: str, newer: str) -> None:
    assert parse_version(older) < parse_version(newer)
    assert is_newer(newer, older) and not is_newer(older, newer)


def test_equal_spellings_are_equal() -> None:
    assert parse_version("1.0") == parse_version("1.0.0") == parse_version("v1.0")
    assert not is_newer("1.0.0", "1.0")


@pytest.mark.parametrize("text", ["", "1.0+local", "latest", "1..0", "1.0-foo", "٣.0"])
def test_unparseable_versions_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_version(text)
    assert caught.value.key == "update.err_version_invalid"


def test_check_newer_names_same_and_downgrade() -> None:
    check_newer("0.2.0", "0.1.0")
    with pytest.raises(DomainError, match="update.err_same_version"):
        check_newer("0.1", "0.1.0")
    with pytest.raises(DomainError, match="update.err_downgrade"):
        check_newer("0.1.0", "0.2.0")


def test_keygen_writes_a_private_key_only_the_owner_reads(tmp_path: Path) -> None:
    made = keygen(tmp_path / "keys")
    private = Path(made["private_key"])
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    load_private_key(private)
    load_public_key(Path(made["public_key"]).read_bytes())
    with pytest.raises(DomainError, match="update.err_key_exists"):
        keygen(tmp_path / "keys")


def test_trust_key_adds_exactly_that_key(tmp_path: Path) -> None:
    made = keygen(tmp_path / "keys")
    data_dir = tmp_path / "terminal"
    assert made["key_id"] not in trusted_keys(data_dir)
    added = trust_key(data_dir, Path(made["public_key"]))
    assert added.key_id == made["key_id"]
    assert set(trusted_keys(data_dir)) >= {made["key_id"]}
    # raw base64 form is accepted too
    raw = base64.b64encode(load_public_key(Path(made["public_key"]).read_bytes()).public_bytes_raw())
    other = tmp_path / "raw.pub"
    other.write_bytes(raw)
    assert trust_key(tmp_path / "t2", other).key_id == made["key_id"]


@pytest.mark.parametrize("content", [b"garbage", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
def test_trust_key_refuses_what_is_not_an_ed25519_public_key(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.pub"
    path.write_bytes(content)
    with pytest.raises(DomainError) as caught:
        trust_key(tmp_path / "terminal", path)
    assert caught.value.key == "update.err_key_invalid"


def test_trust_key_refuses_a_private_key_file(tmp_path: Path) -> None:
    made = keygen(tmp_path / "keys")
    with pytest.raises(DomainError, match="update.err_key_invalid"):
        trust_key(tmp_path / "terminal", Path(made["private_key"]))


def _metadata(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "version": "0.2.0", "sha256": "a" * 64, "size": 10, "url": "/x.zip",
        "channel": "stable", "package": "ipos-tui",
        "expires": (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return {**base, **changes}


def test_verification_needs_a_trusted_key_and_the_exact_bytes(tmp_path: Path) -> None:
    made = keygen(tmp_path / "keys")
    key = load_private_key(Path(made["private_key"]))
    data_dir = tmp_path / "terminal"
    signed = sign_metadata(_metadata(name="Żółć"), key)  # non-ASCII survives canonical JSON
    with pytest.raises(DomainError, match="update.err_unknown_key"):
        verify_signed(signed, trusted_keys(data_dir), channel="stable")
    trust_key(data_dir, Path(made["public_key"]))
    trusted = trusted_keys(data_dir)
    assert verify_signed(signed, trusted, channel="stable").version == "0.2.0"
    with pytest.raises(DomainError, match="update.err_channel"):
        verify_signed(signed, trusted, channel="beta")
    forged = {**signed, "metadata": {**signed["metadata"], "version": "9.9.9"}}
    with pytest.raises(DomainError, match="update.err_signature"):
        verify_signed(forged, trusted, channel="stable")
    with pytest.raises(DomainError, match="update.err_bad_metadata"):
        verify_signed({"metadata": {}}, trusted, channel="stable")
    old = sign_metadata(_metadata(expires="2020-01-01T00:00:00Z"), key)
    with pytest.raises(DomainError, match="update.err_expired"):
        verify_signed(old, trusted, channel="stable")


def test_demo_tills_trust_the_keys_of_the_default_data_dir_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ipos_tui.store import paths

    home = tmp_path / "home-data"
    monkeypatch.setattr(paths, "default_data_dir", lambda: home)
    made = keygen(tmp_path / "keys")
    trust_key(home, Path(made["public_key"]))  # `ipos-tui trust-key FILE`, default dir
    assert made["key_id"] in trusted_keys(home / "demo" / "terminal-1")
    assert made["key_id"] not in trusted_keys(tmp_path / "elsewhere" / "terminal-1")


def test_demo_tills_anywhere_trust_the_shop_dir_and_the_default_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``ipos-tui demo --data-dir DIR``: ``trust-key --data-dir DIR FILE`` and plain
    ``trust-key FILE`` (what the refusal message says) both reach its tills; a dir
    that merely looks like a till, without the demo back office beside it, does not."""
    from ipos_tui.store import paths
    from ipos_tui.updates.keys import DEMO_BACKOFFICE_FILES, demo_shop_root

    home = tmp_path / "home-data"
    monkeypatch.setattr(paths, "default_data_dir", lambda: home)
    shop_key, home_key = keygen(tmp_path / "shop-key"), keygen(tmp_path / "home-key")
    shop = tmp_path / "shop"
    (shop / "terminal-1").mkdir(parents=True)
    for name in DEMO_BACKOFFICE_FILES:
        (shop / name).write_bytes(b"")
    trust_key(shop, Path(shop_key["public_key"]))
    trust_key(home, Path(home_key["public_key"]))
    assert demo_shop_root(shop / "terminal-1") == shop.resolve()
    assert {shop_key["key_id"], home_key["key_id"]} <= set(trusted_keys(shop / "terminal-1"))
    assert shop_key["key_id"] not in trusted_keys(shop / "terminal-x")
    plain = tmp_path / "plain"  # a real back office's database beside a till
    trust_key(plain, Path(shop_key["public_key"]))
    (plain / DEMO_BACKOFFICE_FILES[0]).write_bytes(b"")
    assert demo_shop_root(plain / "terminal-1") is None
    assert not {shop_key["key_id"], home_key["key_id"]} & set(trusted_keys(plain / "terminal-1"))


def test_the_demo_keeps_its_back_office_where_the_key_lookup_expects_it(tmp_path: Path) -> None:
    from ipos_tui.demo.server import DemoBackOffice
    from ipos_tui.updates.keys import DEMO_BACKOFFICE_FILES

    demo = DemoBackOffice(tmp_path)
    assert (demo.db_path, demo.url_file) == tuple(tmp_path / name for name in DEMO_BACKOFFICE_FILES)
