"""Ingestion of portfolio-v1 folders: read, validate, load in one transaction."""
