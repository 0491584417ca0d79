"""Ed25519 keys: generating signing keys, and the public keys a terminal trusts.

A terminal trusts two sets of public keys, and nothing else: the ``*.pub`` files
shipped in this package (``trusted_keys/``) and the ones its owner added with
``ipos-tui trust-key FILE`` (``<data dir>/trusted_keys/``). A release names its key
by id only; a key inside a response is never used, so a man in the middle who can
forge answers still cannot make a terminal accept his signature.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ipos_tui.domain.errors import DomainError
from ipos_tui.protocol import release_key_id
from ipos_tui.updates.paths import UpdatePaths

PUBLIC_SUFFIX = ".pub"


@dataclass(frozen=True)
class TrustedKey:
    """A public key the terminal trusts, and where it came from."""

    key_id: str
    key: Ed25519PublicKey
    source: str  # "shipped" or "user"
    path: Path | None = None

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


def raw_public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(key: Ed25519PublicKey) -> str:
    """First 16 hex digits of the sha256 of the raw 32-byte public key."""
    return release_key_id(raw_public_bytes(key))


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """A public key from PEM, or from the base64 of its 32 raw bytes.

    Raises ``DomainError("update.err_key_invalid")`` for anything else (an RSA key,
    a private key, garbage).
    """
    text = data.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(text)
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error):
        raise DomainError("update.err_key_invalid") from None
    if not isinstance(key, Ed25519PublicKey):
        raise DomainError("update.err_key_invalid")
    return key


def shipped_keys() -> list[TrustedKey]:
    """The keys shipped in the package's ``trusted_keys`` directory."""
    found: list[TrustedKey] = []
    folder = resources.files(__package__).joinpath("trusted_keys")
    if not folder.is_dir():
        return found
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(PUBLIC_SUFFIX):
            key = load_public_key(entry.read_bytes())
            found.append(TrustedKey(key_id_of(key), key, "shipped"))
    return found


#: Files of the demo shop's back office, beside its tills (``ipos-tui demo``): its
#: database and the address it serves on. A real back office writes no address file.
DEMO_BACKOFFICE_FILES = ("backoffice.sqlite3", "backoffice.url")
_DEMO_TILL = re.compile(r"terminal-[0-9]+")


def demo_shop_root(data_dir: Path) -> Path | None:
    """The demo shop directory when ``data_dir`` is one of its tills, else None.

    ``ipos-tui demo --data-dir DIR`` keeps its tills in ``DIR/terminal-N`` beside its
    back office's files (:data:`DEMO_BACKOFFICE_FILES`); an owner trying an update in the demo
    trusts the key for ``DIR`` (or for the whole account), not for one till.
    """
    till = Path(data_dir).resolve()
    if _DEMO_TILL.fullmatch(till.name) and all(
            (till.parent / name).is_file() for name in DEMO_BACKOFFICE_FILES):
        return till.parent
    return None


def key_folders(data_dir: Path) -> list[Path]:
    """Where the keys added with ``ipos-tui trust-key`` for ``data_dir`` live.

    ``data_dir``'s own folder; for a till of the demo shop also the shop's folder
    (``trust-key --data-dir DIR``) and the user's default terminal data dir (plain
    ``trust-key FILE``, as the refusal message says); the default dir also serves a
    data dir lying inside it. A key the owner trusts for this account's terminal is
    trusted by its training tills too. No other directory is ever searched.
    """
    from ipos_tui.store.paths import default_data_dir

    own = Path(data_dir).resolve()
    home = default_data_dir().resolve()
    folders = [own]
    shop = demo_shop_root(own)
    if shop is not None:
        folders += [shop, home]
    elif own.is_relative_to(home):
        folders.append(home)
    unique = list(dict.fromkeys(folders))
    return [UpdatePaths(folder).trusted_keys for folder in unique]


def user_keys(data_dir: Path) -> list[TrustedKey]:
    """Keys added with ``ipos-tui trust-key`` (bad files skipped), see :func:`key_folders`."""
    found: list[TrustedKey] = []
    for folder in key_folders(data_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{PUBLIC_SUFFIX}")):
            try:
                key = load_public_key(path.read_bytes())
            except (OSError, DomainError):
                continue
            found.append(TrustedKey(key_id_of(key), key, "user", path))
    return found


def trusted_keys(data_dir: Path) -> dict[str, TrustedKey]:
    """Every key this terminal trusts, by key id."""
    keys = {k.key_id: k for k in user_keys(data_dir)}
    keys.update({k.key_id: k for k in shipped_keys()})
    return keys


def trust_key(data_dir: Path, key_file: Path) -> TrustedKey:
    """Add the public key in ``key_file`` to this terminal's trusted keys.

    Stored as ``<key id>.pub`` (PEM); adding the same key twice is harmless.
    """
    try:
        data = Path(key_file).read_bytes()
    except OSError as exc:
        raise DomainError("update.err_key_file", path=str(key_file),
                          detail=exc.strerror or str(exc)) from None
    key = load_public_key(data)
    key_id = key_id_of(key)
    folder = UpdatePaths(Path(data_dir)).trusted_keys
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key_id}{PUBLIC_SUFFIX}"
    target.write_bytes(key.public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo))
    return TrustedKey(key_id, key, "user", target)
