"""Rules that treat each household on its own, run on slices of rows at once (large runs).

Most of a step's work is rules in which a household's result depends only on its own row and
on node arrays (the coping ladder, the indicators, the solution criteria once the host
averages are known): no sum, rank or draw over households. Such a rule gives the same numbers
whether it runs on all rows at once or on slices of them one after the other, element for
element (NumPy's element-wise loops do not depend on where an array starts). From
``PARALLEL_MIN`` households on, ``RowChunks.run`` splits the rows into a few slices per core
and runs the rule on them together, on the calling thread and one worker thread per further
core, each taking the next slice left. NumPy releases the GIL inside its loops over arrays,
so the slices are computed on different cores; the Python between the calls is short beside
a call on tens of thousands of rows.

Below ``PARALLEL_MIN`` (sweeps and calibration: thousands of small runs, run one per core by
the sweep's own processes) the rule runs once on the whole store, on the calling thread, and
no thread is started. Sums over households (``bincount``, totals, ranks) and random draws
stay outside these rules, on the whole store, in the phases.
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

#: from this many households on, a rule runs on slices of rows on every core; below it, the
#: threads cost more than they save. Measured on the project's 2-core machine, quiet, 36 steps
#: (2026-12-03): 100k households 2.93 M household-steps/s on one thread, 1.68 M on two;
#: 300k 2.75 M and 2.24 M; 1M 2.65 M and 3.89 M (there the slices are large enough; below
#: it the second core is better left to the draws made ahead and the recorder's counting)
PARALLEL_MIN = 500_000
#: at most this many threads (the calling one and its workers)
MAX_THREADS = 4
#: slices of rows per thread, taken in turn (see RowChunks)
SLICES_PER_THREAD = 4


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system says it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_threads() -> int:
    """Threads to use: ``PRDS_THREADS`` if set, else one per core this process may run on,
    at most ``MAX_THREADS``.

    An earlier rule took the last minute's load average into account and used one thread
    when it left no core idle. It misjudged: the load average lags by about a minute, so a
    large run started just after another job (in ``prds bench``, right after the per-agent
    reference) ran on one thread on an idle machine (1M households: 10.9 s instead of 7.5 s).
    And even on a machine busy with other work, two threads were faster: 1M households x 36
    steps beside two processes that each kept a core busy, 15.7 s on one thread, 12.8 s on
    two (2026-12-03, the project's 2-core machine). The numbers are the same whatever the
    count (module docstring); ``PRDS_THREADS=1`` keeps a run to one core."""
    setting = os.environ.get("PRDS_THREADS", "").strip()
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            raise ValueError(f"PRDS_THREADS must be a whole number of threads, not "
                             f"{setting!r}") from None
    return max(1, min(MAX_THREADS, available_cores()))


class RowChunks:
    """Runs a per-household rule on slices of a store's rows (see module docstring).

    ``threads``: how many threads share the work of a large store (default ``default_threads()``,
    when the model is made; 1 runs everything on the calling thread). The rows are cut
    into ``SLICES_PER_THREAD`` slices per thread, which the threads (the calling one and its
    workers) take in turn until none is left: households in need, whose coping costs most,
    are not spread evenly over the rows (populations are appended one after the other).
    """

    def __init__(self, threads: int | None = None):
        self.threads = max(1, default_threads() if threads is None else int(threads))
        self._pool: ThreadPoolExecutor | None = None

    def sliced(self, n: int) -> bool:
        """Whether a store of ``n`` rows is shared out in slices (else the rule gets it whole)."""
        return n >= PARALLEL_MIN and self.threads > 1

    def bounds(self, n: int) -> list[tuple[int, int]]:
        """The (start, stop) of each slice of ``n`` rows."""
        k = self.threads * SLICES_PER_THREAD if self.sliced(n) else 1
        edges = [n * i // k for i in range(k + 1)]
        return list(zip(edges[:-1], edges[1:], strict=True))

    def run(self, store, rule) -> list:
        """``rule(rows)`` for each slice ``rows`` of ``store`` (``HouseholdStore.rows``); the
        results in slice order. With one slice ``rule`` gets the store itself."""
        if not self.sliced(len(store)):
            return [rule(store)]
        bounds = self.bounds(len(store))
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.threads - 1,
                                            thread_name_prefix="prds-rows")
        parts = [store.rows(start, stop) for start, stop in bounds]
        results: list = [None] * len(parts)
        queue = iter(range(len(parts)))  # next() on it is atomic under the GIL
        failed: list[BaseException] = []

        def work() -> None:
            for i in queue:
                if failed:
                    return
                try:
                    results[i] = rule(parts[i])
                except BaseException as error:  # re-raised in the caller below
                    failed.append(error)
                    return

        pending = [self._pool.submit(work) for _ in range(self.threads - 1)]
        work()
        for future in pending:  # never return while a worker still writes into the store
            future.result()
        if failed:
            raise failed[0]
        return results

    def close(self) -> None:
        """Stop the worker threads (at the end of a run; ``run`` starts them again if asked)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def per_household(model, rule) -> list:
    """``rule`` on ``model.households`` through the model's ``row_chunks`` (``RowChunks.run``);
    a stand-in model without them (unit tests) runs it once on the whole store."""
    chunks = getattr(model, "row_chunks", None)
    if chunks is None:
        return [rule(model.households)]
    return chunks.run(model.households, rule)


def rows_of(array: np.ndarray, rows) -> np.ndarray:
    """The part of a whole-store ``array`` that belongs to ``rows`` (the store itself or one
    of its slices, as a per-household rule is given): a view, written in place."""
    return array[rows.start:rows.start + len(rows)]
