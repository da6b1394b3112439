"""Executors for sweeps: in this process, a local process pool, or a Dask cluster.

All three are ``concurrent.futures.Executor``s, so the runner does not know which it has.
A Dask cluster is reached through ``distributed.Client(...).get_executor()``: point
``--dask`` at a scheduler address and nothing else changes (the workers need this package
installed, nothing more: each task carries its scenario as data).
"""

import concurrent.futures as cf
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager

from simulation.sweeps.runner import default_workers


class ClusterError(RuntimeError):
    """The Dask scheduler named on the command line cannot be reached."""


class SerialExecutor(cf.Executor):
    """Runs each task in this process when it is submitted (``--workers 1``; debuggers)."""

    def submit(self, fn, /, *args, **kwargs):
        future = cf.Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # noqa: BLE001 - delivered through the future, like a pool
            future.set_exception(error)
        return future


def process_pool(workers: int, fresh: bool = False) -> cf.ProcessPoolExecutor:
    """A process pool whose workers fork from a clean server with the model preloaded.

    ``forkserver`` rather than ``fork``: the parent may run threads (the progress bar, Dask),
    and forking a threaded process can deadlock; rather than ``spawn``: the model's imports
    (about 2 s) are paid once in the server, not once per worker. ``fresh``: a new process
    for every task (so each task's peak memory is its own; ``prds validate`` over many).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["simulation.sweeps.runner"])
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                  max_tasks_per_child=1 if fresh else None)


def executor_width(executor: cf.Executor) -> int:
    """How many runs ``executor`` works on at once (sizes the runner's window)."""
    if isinstance(executor, SerialExecutor):
        return 1
    workers = getattr(executor, "_max_workers", None)
    if isinstance(workers, int) and workers > 0:
        return workers
    client = getattr(executor, "_client", None)  # distributed.cfexecutor.ClientExecutor
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a cluster still starting: fall back below
            pass
    return default_workers()


@contextmanager
def open_executor(workers: int | None = None, dask: str | None = None,
                  fresh: bool = False) -> Iterator[cf.Executor]:
    """The executor the command line asks for, closed on exit.

    Args:
        workers: local processes (default: one per core); 1 runs in this process. With
            ``dask="local"``, the number of Dask workers.
        fresh: on the local pool, a new process for every task (see ``process_pool``).
        dask: ``None`` for local processes, ``"local"`` for a Dask LocalCluster on this
            machine, or a scheduler address (``tcp://host:8786``) of a running cluster.
    """
    if dask is None:
        workers = workers or default_workers()
        if workers == 1:
            yield SerialExecutor()
            return
        pool = process_pool(workers, fresh)
        try:
            yield pool
        except BaseException:  # interrupted: do not start queued runs, do not wait
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return
    from distributed import Client, LocalCluster

    cluster = None
    if dask == "local":
        cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                               processes=True, dashboard_address=":0")
        client = Client(cluster)
    else:
        if workers:
            raise ValueError("--workers cannot be combined with a cluster address: the "
                             "cluster's own workers run the sweep")
        try:
            client = Client(dask)
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"cannot reach the Dask scheduler {dask!r}: {error}") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
