"""Message templates: every saved version, never changed or removed (a change is a new version)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Text

from arrears.adapters.storage.tables import instant, table

message_templates = table(
    "message_templates",
    Column("template_id", String(64), primary_key=True),
    Column("channel", String(10), primary_key=True),
    Column("jurisdiction", String(8), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("title_zh", String(200), nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("subject_zh", Text),
    Column("subject_en", Text),
    Column("body_zh", Text, nullable=False),
    Column("body_en", Text, nullable=False),
    Column("third_party", Boolean, nullable=False),
    Column("digest", String(64), nullable=False),
    instant("saved_at", nullable=False),
    Column("saved_by", String(100), nullable=False),
    Column("source", String(10), nullable=False),  # seed | saved
)
