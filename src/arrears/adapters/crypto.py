"""Field encryption for personal data: AES-256-GCM for storage, a keyed hash for lookups.

Keys come from settings in production (a missing key is a clear error). On a laptop a key
file is created on first use of a new database (mode 0600, under ./var, ignored by git).
Each key has a fingerprint (an HMAC-SHA256 of a fixed label under the key) that a database
keeps, so that a key that is not the database's is refused (``services/key_check.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from arrears.settings import Settings

NONCE_BYTES = 12
TAG_BYTES = 16
KEY_VERSION = b"\x01"


class EncryptionKeyError(RuntimeError):
    """Encryption keys are missing or malformed."""


class KeyMismatch(EncryptionKeyError):
    """The keys are not the ones the database was encrypted with (or are missing for it)."""


FINGERPRINT_LABEL = b"arrears key fingerprint v1"


def key_fingerprint(key: bytes) -> str:
    """An HMAC-SHA256 of a fixed label under ``key``: identifies the key, reveals nothing of it."""
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def _decode_key(text: str, name: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode() + b"=" * (-len(text) % 4))
    except ValueError as exc:
        raise EncryptionKeyError(f"{name} is not valid base64") from exc
    if len(raw) != 32:
        raise EncryptionKeyError(f"{name} must decode to 32 bytes, got {len(raw)}")
    return raw


def is_ciphertext(blob: bytes | None) -> bool:
    """Whether ``blob`` has the shape of a value this module encrypted (version, nonce, tag)."""
    return blob is not None and blob[:1] == KEY_VERSION and len(blob) >= 1 + NONCE_BYTES + TAG_BYTES


def new_key_text() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts and decrypts personal data fields; computes lookup hashes."""

    data_key: bytes
    lookup_key: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "_aead", AESGCM(self.data_key))

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return KEY_VERSION + nonce + self._aead.encrypt(nonce, plaintext.encode(), None)  # type: ignore[attr-defined]

    def encrypt_bytes(self, plaintext: bytes) -> bytes:
        """A file's content encrypted like a field (version, random nonce, AES-GCM)."""
        nonce = os.urandom(NONCE_BYTES)
        return KEY_VERSION + nonce + self._aead.encrypt(nonce, plaintext, None)  # type: ignore[attr-defined]

    def decrypt_bytes(self, blob: bytes) -> bytes:
        if not blob or blob[:1] != KEY_VERSION:
            raise EncryptionKeyError("unknown ciphertext version")
        nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        return bytes(self._aead.decrypt(nonce, bytes(body), None))  # type: ignore[attr-defined]

    def encrypt_many(self, values: list[str | None]) -> list[bytes | None]:
        """Encrypt a column at once (one call for all the random nonces); None stays None."""
        nonces = os.urandom(NONCE_BYTES * len(values))
        aead = self._aead  # type: ignore[attr-defined]
        out: list[bytes | None] = []
        for i, value in enumerate(values):
            if value is None:
                out.append(None)
                continue
            nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
            out.append(KEY_VERSION + nonce + aead.encrypt(nonce, value.encode(), None))
        return out

    def lookup_hashes(self, values: list[str | None]) -> list[str | None]:
        key = self.lookup_key
        return [None if v is None else hashlib.blake2b(v.encode(), key=key, digest_size=16).hexdigest()
                for v in values]

    def decrypt(self, blob: bytes) -> str:
        if not blob or blob[:1] != KEY_VERSION:
            raise EncryptionKeyError("unknown ciphertext version")
        nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        return self._aead.decrypt(nonce, bytes(body), None).decode()  # type: ignore[attr-defined]

    def fingerprints(self) -> dict[str, str]:
        """The fingerprint of each key, by purpose (what a database stores; never the keys)."""
        return {"data": key_fingerprint(self.data_key), "lookup": key_fingerprint(self.lookup_key)}

    def lookup_hash(self, value: str) -> str:
        """A keyed hash for exact lookups (e.g. find a customer by phone): keyed BLAKE2b-128,
        a MAC by design, so the hash cannot be recomputed without the lookup key."""
        return hashlib.blake2b(value.encode(), key=self.lookup_key, digest_size=16).hexdigest()


def _read_key_file(path: Path) -> FieldCipher:
    try:
        data = json.loads(path.read_text())
        return FieldCipher(_decode_key(data["data_key"], "data_key"), _decode_key(data["lookup_key"], "lookup_key"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EncryptionKeyError(f"the key file {path} cannot be read: {exc}") from None


def create_key_file(path: Path) -> FieldCipher:
    """A new pair of random keys in a new file (mode 0600; its folder 0700 when made here)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {"data_key": new_key_text(), "lookup_key": new_key_text()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    return FieldCipher(_decode_key(data["data_key"], "data_key"), _decode_key(data["lookup_key"], "lookup_key"))


def configured_cipher(settings: Settings) -> FieldCipher | None:
    """The keys the settings name: the environment, else the key file; None when the key file
    does not exist yet (a laptop's first run). Production refuses to go without the environment."""
    if settings.data_key and settings.lookup_key:
        return FieldCipher(
            _decode_key(settings.data_key, "ARREARS_DATA_KEY"),
            _decode_key(settings.lookup_key, "ARREARS_LOOKUP_KEY"),
        )
    if settings.is_production:
        raise EncryptionKeyError(
            "ARREARS_DATA_KEY and ARREARS_LOOKUP_KEY must be set in production "
            "(32 random bytes each, urlsafe base64); refusing to start without them"
        )
    return _read_key_file(settings.key_file) if settings.key_file.exists() else None

