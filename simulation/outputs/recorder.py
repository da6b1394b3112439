"""Record each step: a tidy aggregate table and the per-step summary (Starsim's results).

Per step, households are counted by (node, group, status, LCS) with one ``bincount`` over a
combined key, so recording costs a few passes over the columns whatever the population; only
non-empty cells are kept. The tidy table (DESIGN.md section 7) has one row per step and cell.
"""

import numpy as np
import pandas as pd

from simulation.codes import Group, Status, names
from simulation.outputs.summary import SUMMARY_KEYS, summarize

#: per-cell sums recorded each step, turned into counts or means in the table
SUMMED = ("persons", "self_reliant", "aid_dependent", "immobile", "durable_solution",
          "rsi", "rcsi", "income", "aid")


class Recorder:
    def __init__(self, model):
        self.model = model
        self.cells: list[dict[str, np.ndarray]] = []
        self.summaries: list[dict] = []

    def record(self, t: int) -> None:
        model, hh = self.model, self.model.households
        n_status, n_group = len(Status), len(Group)
        key = ((hh.node.astype(np.int64) * n_group + hh.group) * n_status + hh.status) * 4 + (hh.lcs - 1)
        size = model.graph.n_nodes * n_group * n_status * 4
        counts = np.bincount(key, minlength=size)
        cells = np.flatnonzero(counts)
        row = {"step": np.full(len(cells), t, dtype=np.int32), "cell": cells,
               "households": counts[cells]}
        values = {
            "persons": hh.size, "self_reliant": hh.self_reliant, "aid_dependent": hh.aid_dependent,
            "immobile": hh.immobile, "durable_solution": hh.durable_solution, "rsi": hh.rsi,
            "rcsi": hh.rcsi, "income": hh.income, "aid": hh.aid,
        }
        for name in SUMMED:
            row[name] = np.bincount(key, weights=values[name], minlength=size)[cells]
        self.cells.append(row)
        self.summaries.append({"step": t, **summarize(model)})

    def timeseries(self) -> pd.DataFrame:
        """The tidy table: step, node, group, status, lcs, counts and mean indicators."""
        if not self.cells:
            return pd.DataFrame()
        data = {k: np.concatenate([c[k] for c in self.cells]) for k in self.cells[0]}
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
        for name in ("rsi", "rcsi", "income", "aid"):
            frame[f"mean_{name}"] = data[name] / households
        return frame

    def metrics(self) -> pd.DataFrame:
        """The summary at every step (one row per step, the summary keys as columns)."""
        return pd.DataFrame(self.summaries, columns=["step", *SUMMARY_KEYS])
