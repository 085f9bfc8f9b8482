"""Which keys a database was encrypted with: a fingerprint per key, never the key.

A fingerprint is an HMAC-SHA256 of a fixed label under the key (``adapters/crypto.py``):
it tells whether a key is the one the database was written with, and nothing about the key.
"""

from __future__ import annotations

from sqlalchemy import Column, String

from arrears.adapters.storage.tables import instant, table

key_fingerprints = table(
    "key_fingerprints",
    Column("purpose", String(20), primary_key=True),  # data (AES-GCM) or lookup (keyed hashes)
    Column("fingerprint", String(64), nullable=False),
    instant("created_at", nullable=False),
)
