"""The personal fields of portfolio rows as stored: encrypted, keyed-hashed and masked, never
in clear. Each function is a task for ``CoreWorkers`` (``task(cipher, *columns)``, returning
columns by name), kept in this small module so that a worker process starts by importing only
the cipher and the masks."""

from __future__ import annotations

import hashlib
from typing import Any

from arrears.adapters.crypto import FieldCipher
from arrears.domain.personal import PersonalFields, mask_contact, mask_personal


def keyed_digests(cipher: FieldCipher, texts: list[str]) -> dict[str, list[str]]:
    """Keyed BLAKE2b of each text (about 2 µs a text: cheaper in the loading process than sent to a worker)."""
    key = cipher.lookup_key
    return {"row_digest": [hashlib.blake2b(s.encode(), key=key, digest_size=16).hexdigest() for s in texts]}


def personal_field(cipher: FieldCipher, name: str, values: list[str | None], masked: list[str | None], *,
                   hashed: bool = True, hash_values: list[str | None] | None = None) -> dict[str, list[Any]]:
    """The encrypted, hashed and masked columns for one personal field (never its plaintext)."""
    columns: dict[str, list[Any]] = {f"{name}_enc": cipher.encrypt_many(values), f"{name}_masked": masked}
    if hashed:
        columns[f"{name}_hash"] = cipher.lookup_hashes(hash_values or values)
    return columns


def customer_personal(cipher: FieldCipher, names: list[str | None], ids: list[str | None],
                      addresses: list[str | None]) -> dict[str, list[Any]]:
    """A customer's name, national id and address encrypted, hashed and masked (a core-worker task)."""
    masks = [mask_personal(PersonalFields(n, i, a)) for n, i, a in zip(names, ids, addresses, strict=True)]
    return {
        **personal_field(cipher, "name", names, [m.name for m in masks]),
        **personal_field(cipher, "national_id", ids, [m.national_id for m in masks],
                    hash_values=[None if v is None else v.upper() for v in ids]),
        **personal_field(cipher, "address", addresses, [m.address for m in masks], hashed=False),
    }


def contact_values(cipher: FieldCipher, kinds: list[str], values: list[str]) -> dict[str, list[Any]]:
    """How a contact point's value (normalised: E.164, a lower-case e-mail address) is stored:
    encrypted, its keyed lookup hash (what search and the gate match on) and its mask; never in
    clear. Ingest and the workbench (a number a customer gives a collector) both store it so
    (a core-worker task)."""
    return {
        "value_enc": cipher.encrypt_many(list(values)),
        "value_hash": cipher.lookup_hashes(list(values)),
        "value_masked": [mask_contact(k, v) for k, v in zip(kinds, values, strict=True)],
    }
