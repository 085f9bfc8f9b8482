"""``--scheduler ADDRESS`` (or ``ARREARS_DASK_SCHEDULER``): where `arrears score`, `plan` and `run`
send their per-customer work. Without it nothing changes and distributed is never imported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from arrears.partitions import ClusterFailed, ClusterUnavailable

if TYPE_CHECKING:
    from arrears.partitions import Cluster

CLUSTER_REFUSED = 2  # no scheduler, no worker, workers from another environment
CLUSTER_FAILED = 1  # lost mid-run: nothing was written

SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="Dask scheduler address (tcp://HOST:8786) to run the per-customer work on; "
                        "default: ARREARS_DASK_SCHEDULER, else this process / 在 Dask 集群上运行")]

err = Console(stderr=True)


def scheduler_address(option: str | None) -> str | None:
    """The option, else the setting, else None. The setting and the Dask adapter are reached
    without ``bootstrap``: importing it loads the database libraries and every storage adapter,
    which `arrears score` and `plan` do not otherwise need (1.5 s on a quiet machine, 6 s on a
    busy one, measured with cProfile)."""
    if option:
        return option
    from arrears.settings import get_settings

    return get_settings().dask_scheduler or None


@contextmanager
def cluster_or_exit(option: str | None) -> Iterator[Cluster | None]:
    """The cluster the command runs on (None: this process). A scheduler that cannot be used
    stops the command with exit 2 before it reads anything; a cluster lost mid-run with exit 1,
    having written nothing (outputs are written after the work, each to a temporary file first)."""
    address = scheduler_address(option)
    if address is None:
        yield None
        return
    from arrears.adapters.dask_cluster import connected  # not through bootstrap: see scheduler_address

    with ExitStack() as stack:
        try:
            cluster = stack.enter_context(connected(address))
        except ClusterUnavailable as error:
            err.print(str(error), style="red", markup=False, highlight=False)
            raise typer.Exit(CLUSTER_REFUSED) from None
        err.print(f"Dask: {address}, {cluster.size()} worker threads", markup=False, highlight=False)
        try:
            yield cluster
        except ClusterFailed as error:
            err.print(str(error), style="red", markup=False, highlight=False)
            raise typer.Exit(CLUSTER_FAILED) from None
