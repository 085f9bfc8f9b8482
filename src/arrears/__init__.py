"""arrears: humane, lawful, efficient collections for credit card portfolios."""

import os

__version__ = "0.1.0"

# polars' allocator (jemalloc) hands freed pages back to the kernel after 10 s by default, and
# the batch jobs (planning, scoring) free and re-allocate gigabytes within seconds; each page
# handed back is faulted in again. Keeping freed pages for 30 s made the 1M-account plan's
# polars stages about a fifth faster on this machine (docs/benchmarks.md). Read by jemalloc
# when polars is first imported, so it is set here, before any arrears module imports polars;
# a value set in the environment wins.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:30000,muzzy_decay_ms:30000")
