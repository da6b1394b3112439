"""Record each step: a tidy aggregate table and the per-step summary (Starsim's results).

Per step, households are counted by (node, group, status, LCS) with one ``bincount`` over a
combined key, so recording costs a few passes over the columns whatever the population; only
non-empty cells are kept. The tidy table (DESIGN.md section 7) has one row per step and cell.

``FinalSummary`` records only the summary at the last step, for callers that want nothing
else (``api.run_one``: sweeps, calibration, optimisation); it reads the same state at the
same moment, so its summary is the full recorder's last one, bit for bit.

``StateOnly`` keeps nothing, for runs whose progress callback reads the state after every
step itself (the evidence library's probes).

A recorder's ``records(t)`` tells the model whether anything reads step ``t``'s state;
where nothing does, the indicators phase skips the indicators that only report
(``phases/indicators.REPORTED``).
"""

from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pandas as pd

from simulation.codes import Group, Status, names
from simulation.outputs.summary import SUMMARY_KEYS, summarize

#: per-cell sums recorded each step, turned into counts or means in the table
SUMMED = ("persons", "self_reliant", "aid_dependent", "immobile", "durable_solution",
          "rsi", "rcsi", "income", "aid", "consumption")
#: yes/no columns, counted per cell with one bincount over the cell key and their bits
FLAGS = ("self_reliant", "aid_dependent", "immobile", "durable_solution")
#: which of the 2 ** len(FLAGS) flag combinations have each flag set
_WITH_FLAG = [(np.arange(2 ** len(FLAGS)) >> bit) & 1 == 1 for bit in range(len(FLAGS))]


#: the household columns a step's cells and summary are counted from
RECORDED = ("node", "group", "status", "lcs", *FLAGS, "size", "rsi", "rcsi", "income", "aid",
            "consumption",
            "ever_displaced", "worker_node")
#: from this many households on, cells are counted in a background thread (see Recorder)
BACKGROUND_MIN = 50_000


def cell_row(hh, n_nodes: int, t: int) -> dict[str, np.ndarray]:
    """Step ``t``'s non-empty cells of ``hh`` (the store, or a copy of its ``RECORDED``
    columns): their codes, household counts, yes/no counts and sums.

    Cost: one cell key, a count by cell, one bincount by non-empty cell and yes/no flags,
    and one weighted bincount per summed number over the non-empty cells only.
    """
    n_status, n_group = len(Status), len(Group)
    # cell = ((node * groups + group) * statuses + status) * 4 + (lcs - 1)
    key = hh.node.astype(np.int64)
    key *= n_group
    key += hh.group
    key *= n_status
    key += hh.status
    key *= 4
    key += hh.lcs
    key -= 1
    size = n_nodes * n_group * n_status * 4
    counts = np.bincount(key, minlength=size)
    cells = np.flatnonzero(counts)
    # number the non-empty cells 0..k-1, so that every further count has k bins
    ordinal = np.zeros(size, dtype=np.int64)
    ordinal[cells] = np.arange(len(cells))
    dense = np.take(ordinal, key)
    bits = np.zeros(len(key), dtype=np.uint8)
    for bit, name in enumerate(FLAGS):
        bits |= getattr(hh, name).view(np.uint8) << bit
    flags = dense << len(FLAGS)
    flags |= bits
    by_flags = np.bincount(flags, minlength=len(cells) << len(FLAGS)).reshape(len(cells), 1 << len(FLAGS))
    row = {"step": np.full(len(cells), t, dtype=np.int32), "cell": cells,
           "households": counts[cells]}
    for name, with_flag in zip(FLAGS, _WITH_FLAG, strict=True):
        row[name] = by_flags[:, with_flag].sum(axis=1)
    values = {"persons": hh.size, "rsi": hh.rsi, "rcsi": hh.rcsi, "income": hh.income,
              "aid": hh.aid, "consumption": hh.consumption}
    for name in SUMMED:
        if name not in FLAGS:
            row[name] = np.bincount(dense, weights=values[name], minlength=len(cells))
    return row


class _Snapshot(SimpleNamespace):
    """Copies of a store's ``RECORDED`` columns, and what ``summarize`` reads of a model."""

    def __len__(self) -> int:
        return len(self.node)

    @property
    def households(self) -> "_Snapshot":  # (summarize reads model.households)
        return self


def _count(snapshot: _Snapshot, n_nodes: int, t: int) -> tuple[dict, dict]:
    return cell_row(snapshot, n_nodes, t), {"step": t, **summarize(snapshot)}


class Recorder:
    """The tidy table's cells and the summary, every step.

    With ``BACKGROUND_MIN`` households or more, a step is counted from a copy of the
    ``RECORDED`` columns in a background thread while the next step runs (NumPy releases the
    GIL in its loops, so a second core does the counting); ``cells`` and ``summaries`` wait for
    it. The copy costs a tenth of the counting; the numbers are the same, as they come from
    the same values.
    """

    def __init__(self, model):
        self.model = model
        self._cells: list[dict[str, np.ndarray]] = []
        self._summaries: list[dict] = []
        self._pending: Future | None = None
        self._thread: ThreadPoolExecutor | None = None

    @property
    def cells(self) -> list[dict[str, np.ndarray]]:
        """Every recorded step's cells (waits for a step still being counted)."""
        self._wait()
        return self._cells

    @property
    def summaries(self) -> list[dict]:
        """Every recorded step's summary (waits for a step still being counted)."""
        self._wait()
        return self._summaries

    def records(self, t: int) -> bool:
        """Whether step ``t``'s state is read (every step's: the model computes every
        indicator at every step)."""
        return True

    def record(self, t: int) -> None:
        """Add step ``t``'s non-empty cells and summary."""
        model, hh = self.model, self.model.households
        self._wait()
        if len(hh) >= BACKGROUND_MIN:
            columns = {name: getattr(hh, name).copy() for name in RECORDED}
            snapshot = _Snapshot(**columns, cost_total=model.cost_total)
            if self._thread is None:
                self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prds-recorder")
            self._pending = self._thread.submit(_count, snapshot, model.graph.n_nodes, t)
        else:
            self._cells.append(cell_row(hh, model.graph.n_nodes, t))
            self._summaries.append({"step": t, **summarize(model)})
        if t >= model.steps_total:  # the run is over: finish counting, stop the thread
            self._wait()
            if self._thread is not None:
                self._thread.shutdown(wait=True)
                self._thread = None

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            cells, summary = pending.result()
            self._cells.append(cells)
            self._summaries.append(summary)

    def timeseries(self) -> pd.DataFrame:
        """The tidy table: step, node, group, status, lcs, counts and mean indicators."""
        cells = self.cells
        if not cells:
            return pd.DataFrame()
        data = {k: np.concatenate([c[k] for c in cells]) for k in cells[0]}
        cell = data.pop("cell")
        lcs = cell % 4 + 1
        rest = cell // 4
        status = rest % len(Status)
        rest //= len(Status)
        group = rest % len(Group)
        node = rest // len(Group)
        households = data["households"]
        frame = pd.DataFrame({
            "step": data["step"],
            "node": pd.Categorical.from_codes(node, self.model.graph.names),
            "group": pd.Categorical.from_codes(group, names(Group)),
            "status": pd.Categorical.from_codes(status, names(Status)),
            "lcs": lcs.astype(np.int8),
            "households": households.astype(np.int64),
            "persons": data["persons"].astype(np.int64),
            "self_reliant": data["self_reliant"].astype(np.int64),
            "aid_dependent": data["aid_dependent"].astype(np.int64),
            "involuntary_immobile": data["immobile"].astype(np.int64),
            "durable_solution": data["durable_solution"].astype(np.int64),
        })
        for name in ("rsi", "rcsi", "income", "aid", "consumption"):
            frame[f"mean_{name}"] = data[name] / households
        return frame

    def metrics(self) -> pd.DataFrame:
        """The summary at every step (one row per step, the summary keys as columns)."""
        return pd.DataFrame(self.summaries, columns=["step", *SUMMARY_KEYS])


class FinalSummary:
    """A recorder that keeps only the last step's summary (see module docstring)."""

    def __init__(self, model):
        self.model = model
        self.cells: list[dict[str, np.ndarray]] = []
        self.summaries: list[dict] = []

    def records(self, t: int) -> bool:
        """Whether step ``t``'s state is read: the last step's only (so the model leaves the
        indicators that only report uncomputed before it: ``phases/indicators.step``)."""
        return t >= self.model.steps_total

    def record(self, t: int) -> None:
        if self.records(t):
            self.summaries.append({"step": t, **summarize(self.model)})


class StateOnly:
    """A recorder that keeps nothing: every step's state is read by the run's own progress
    callback instead (the evidence library's probes read household columns after each
    step), so the tidy table and the summaries would be counted for nothing. Every step is
    read, so every indicator is computed."""

    def __init__(self, model):
        self.model = model
        self.cells: list[dict[str, np.ndarray]] = []
        self.summaries: list[dict] = []

    def records(self, t: int) -> bool:
        """Every step's state is read (by the progress callback)."""
        return True

    def record(self, t: int) -> None:
        """Nothing to keep."""
