"""The Python API: ``run(scenario, seed=...) -> Results`` and ``run_one`` for sweeps.

``run`` does what ``prds run`` does; ``Results.write(dir)`` writes the same files.
``run_one(scenario, seed, overrides)`` returns only the summary: the function sweeps,
EMA Workbench or Dask wrap (STYLE.md point 9).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.model import PRDSModel
from simulation.outputs import files, plots
from simulation.outputs.recorder import FinalSummary
from simulation.outputs.summary import not_modelled
from simulation.phases import plan_for
from simulation.scenario import DEFAULT_SCENARIO, Scenario, load_scenario
from simulation.scenario.schema import Scenario as ScenarioModel


@dataclass
class Results:
    """What one run produced: the summary, the tidy time series and per-step metrics."""

    scenario: Scenario
    seed: int
    summary: dict[str, Any]
    timeseries: pd.DataFrame
    metrics: pd.DataFrame
    interventions: list[dict]
    flows: pd.DataFrame
    model: PRDSModel | None = field(default=None, repr=False)

    def write(self, out_dir: str | Path, with_plots: bool = True) -> list[Path]:
        """Write timeseries.parquet, summary.json, metrics.parquet and the PNG plots."""
        out = Path(out_dir)
        written = [
            files.write_parquet(out / "timeseries.parquet", self.timeseries),
            files.write_parquet(out / "metrics.parquet", self.metrics),
            files.write_json(out / "summary.json", self.summary_document()),
        ]
        if with_plots:
            written += self.plot(out)
        return written

    @property
    def not_modelled(self) -> list[str]:
        """Outcome keys this run's plan of phases cannot produce (see ``summary.not_modelled``)."""
        return not_modelled(name for name, _ in plan_for(self.scenario))

    def summary_document(self) -> dict:
        document = {**self.summary, "scenario": self.scenario.name, "seed": self.seed,
                    "steps": int(self.metrics["step"].max()) if len(self.metrics) else 0,
                    "days_per_step": self.scenario.days_per_step,
                    "interventions": self.interventions}
        if self.not_modelled:  # a reduced plan: say which numbers mean nothing
            document["not_modelled"] = self.not_modelled
        return document

    def plot(self, out: Path) -> list[Path]:
        written = [
            files.save_figure(out / "statuses.png", plots.statuses_over_time(self.timeseries)),
            files.save_figure(out / "coping.png", plots.coping_over_time(self.timeseries)),
        ]
        if self.model is not None:
            model = self.model
            hh, graph = model.households, model.graph
            written.append(files.save_figure(out / "self_reliance.png", plots.self_reliance_distribution(
                hh.rsi, hh.group, model.params.self_reliance_mean)))
            at = np.bincount(hh.node, minlength=graph.n_nodes)
            harmful = np.bincount(hh.node, weights=hh.lcs >= 3, minlength=graph.n_nodes)
            share = np.divide(harmful, at, out=np.zeros(graph.n_nodes), where=at > 0)
            written.append(files.save_figure(out / "graph.png", plots.settlement_graph(
                graph, at, share, title=f"{self.scenario.name}: households at the last step")))
        return written


def as_scenario(scenario: Scenario | str | Path | dict | None,
                overrides: dict[str, Any] | None = None) -> Scenario:
    """Accept a Scenario, a YAML path, a dict, or None (the bundled default)."""
    if scenario is None:
        scenario = DEFAULT_SCENARIO
    if isinstance(scenario, ScenarioModel):
        if not overrides:
            return scenario
        scenario = scenario.model_dump(mode="python")
    return load_scenario(scenario, overrides)


def run(scenario: Scenario | str | Path | dict | None = None, seed: int | None = None,
        steps: int | None = None, overrides: dict[str, Any] | None = None,
        progress=None, with_agents: bool = True) -> Results:
    """Run a scenario to the end and collect its results.

    Args:
        scenario: a Scenario, a YAML path, a dict, or None for ``scenarios/default.yaml``.
        seed: run seed (default: the scenario's ``seed``).
        steps: number of steps (default: the scenario's ``steps``).
        overrides: ``{"parameters.flight_rate": 0.5, ...}`` applied before validation.
        progress: optional callable ``progress(step)`` after each step.
        with_agents: create Mesa agent views of the households (off for bulk sweeps).
    """
    scenario = as_scenario(scenario, overrides)
    model = PRDSModel(scenario, seed=seed, steps=steps, with_agents=with_agents)
    model.run(progress)
    names = model.graph.names
    flows = pd.DataFrame(
        [(names[i], names[j], int(model.flows[i, j])) for i, j in zip(*np.nonzero(model.flows),
                                                                       strict=True)],
        columns=["from", "to", "households"],
    )
    summary = model.recorder.summaries[-1].copy() if model.recorder.summaries else {}
    summary.pop("step", None)
    return Results(
        scenario=scenario, seed=model.seed, summary=summary,
        timeseries=model.recorder.timeseries(), metrics=model.recorder.metrics(),
        interventions=[i.report() for i in model.interventions], flows=flows, model=model,
    )


def run_one(scenario: Scenario | str | Path | dict | None, seed: int,
            overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run once and return only the summary (for sweeps and other tools).

    The same summary as ``run(...).summary``, without what only ``run`` needs: no Mesa agents,
    no per-step table (``FinalSummary`` records the last step only), no data frames."""
    model = PRDSModel(as_scenario(scenario, overrides), seed=seed, with_agents=False,
                      recorder=FinalSummary)
    model.run()
    summary = model.recorder.summaries[-1].copy() if model.recorder.summaries else {}
    summary.pop("step", None)
    return summary
