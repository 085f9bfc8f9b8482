"""The collector's workbench: use cases behind the pages and the /v1 API.

Every function takes a ``Workbench`` (engine, cipher, gate, clock) and the ``Principal``
acting; every query on accounts goes through ``AccountScope`` (agency tenancy, one place).
"""
