"""Use case: open a database's cipher, refusing keys that are not the database's.

The first command on a new database records a fingerprint of each key (``key_fingerprints``).
From then on, a cipher whose fingerprints differ stops the command before anything is read
or written: rows encrypted under two keys, or reveals that fail, cannot happen. A missing
key file next to such a database is refused the same way, never replaced by a new key. A
database filled before fingerprints existed is checked by decrypting one stored value.
"""

from __future__ import annotations

from datetime import datetime

from cryptography.exceptions import InvalidTag
from sqlalchemy import Connection, Engine, null, select
from sqlalchemy.exc import IntegrityError

from arrears.adapters.crypto import (
    EncryptionKeyError,
    FieldCipher,
    KeyMismatch,
    configured_cipher,
    create_key_file,
    is_ciphertext,
)
from arrears.adapters.storage import tables as t
from arrears.adapters.storage.gate_tables import contact_attempts
from arrears.adapters.storage.key_tables import key_fingerprints
from arrears.adapters.storage.workbench_tables import follow_ups
from arrears.settings import Settings

WHERE = "set ARREARS_DATA_KEY and ARREARS_LOOKUP_KEY, or ARREARS_KEY_FILE, to the keys of this database"
WHERE_ZH = "请设置 ARREARS_DATA_KEY 和 ARREARS_LOOKUP_KEY，或将 ARREARS_KEY_FILE 指向该数据库的密钥文件"
PURPOSE_ZH = {"data": "数据密钥", "lookup": "查找密钥"}


def mismatch(purpose: str) -> KeyMismatch:
    return KeyMismatch(
        f"{PURPOSE_ZH.get(purpose, purpose)}与该数据库加密时所用的密钥不一致；{WHERE_ZH} / "
        f"the {purpose} key does not match the key this database was encrypted with; {WHERE}")


def missing(settings: Settings) -> KeyMismatch:
    return KeyMismatch(
        f"密钥文件 {settings.key_file} 不存在，而该数据库已用密钥加密；不会新建密钥；{WHERE_ZH} / "
        f"the key file {settings.key_file} is missing but this database was encrypted with a key; "
        f"no new key is made; {WHERE}")


def stored_fingerprints(connection: Connection) -> dict[str, str]:
    k = key_fingerprints.c
    return {purpose: fingerprint for purpose, fingerprint in connection.execute(select(k.purpose, k.fingerprint))}


def _check(cipher: FieldCipher, stored: dict[str, str]) -> None:
    for purpose, fingerprint in cipher.fingerprints().items():
        if stored.get(purpose) not in (None, fingerprint):
            raise mismatch(purpose)


def _samples(connection: Connection) -> list[tuple[bytes, str | None]]:
    """One stored ciphertext (with its keyed lookup hash where there is one) per table that has any
    (a value without the shape of an arrears ciphertext, e.g. a placeholder, is not one)."""
    c, p, a = t.customers.c, t.contact_points.c, t.agents.c
    queries = (select(c.name_enc, c.name_hash), select(p.value_enc, p.value_hash),
               select(a.name_enc, null()).where(a.name_enc.is_not(None)),
               select(contact_attempts.c.notes_enc, null()).where(contact_attempts.c.notes_enc.is_not(None)),
               select(follow_ups.c.note_enc, null()).where(follow_ups.c.note_enc.is_not(None)))
    found = (connection.execute(query.limit(1)).first() for query in queries)
    return [(bytes(sample[0]), sample[1]) for sample in found if sample is not None and is_ciphertext(sample[0])]


def _open_samples(cipher: FieldCipher, samples: list[tuple[bytes, str | None]]) -> None:
    """For a database without fingerprints: refuse keys that do not open what it stores."""
    for blob, lookup in samples:
        try:
            plaintext = cipher.decrypt(blob)
        except (InvalidTag, EncryptionKeyError, UnicodeDecodeError):
            raise mismatch("data") from None
        if lookup is not None and cipher.lookup_hash(plaintext) != lookup:
            raise mismatch("lookup")


def _record(engine: Engine, cipher: FieldCipher, now: datetime) -> None:
    rows = [{"purpose": purpose, "fingerprint": fingerprint, "created_at": now}
            for purpose, fingerprint in cipher.fingerprints().items()]
    try:
        with engine.begin() as connection:
            connection.execute(key_fingerprints.insert(), rows)
    except IntegrityError:  # another command recorded them first: they must be ours
        with engine.connect() as connection:
            _check(cipher, stored_fingerprints(connection))


def database_cipher(engine: Engine, settings: Settings, now: datetime) -> FieldCipher:
    """The cipher of the configured keys if they are this database's keys; raises KeyMismatch
    (before anything else is read or written) if they are not, or are missing for it."""
    cipher = configured_cipher(settings)
    with engine.connect() as connection:
        stored = stored_fingerprints(connection)
        if stored:
            if cipher is None:
                raise missing(settings)
            _check(cipher, stored)
            return cipher
        samples = _samples(connection)
        if cipher is None:
            if samples:
                raise missing(settings)
            cipher = create_key_file(settings.key_file)
        else:
            _open_samples(cipher, samples)
    _record(engine, cipher, now)
    return cipher
