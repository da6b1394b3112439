"""The model the workshop app steps: a baseline and an intervention run, side by side.

``WorkshopModel`` is a thin Mesa model around one or two :class:`PRDSModel` runs of the same
scenario with the same seed: the baseline (the scenario as written) and the same scenario
with one intervention added from the app's levers. Named random streams give both runs the
same draws wherever the intervention does not act (common random numbers), so a difference
between the two panels is the intervention's effect, not noise. Its keyword arguments are
the app's controls (``simulation/app/controls.py``), so Mesa's SolaraViz can rebuild it on
Reset. ``model.py`` knows nothing of this module.
"""

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from simulation.app.controls import (
    ALL_GROUPS,
    DEFAULT_GROUP,
    DEFAULT_INTERVENTION,
    NO_INTERVENTION,
    bundled_scenarios,
    group_codes,
)
from simulation.codes import DISPLACED_STATUSES, Coping, Status
from simulation.interventions.registry import REGISTRY
from simulation.model import PRDSModel
from simulation.outputs.summary import summarize
from simulation.params import Parameters
from simulation.scenario import ScenarioError, load_scenario
from simulation.scenario.schema import Scenario

#: status lines in the app's chart: label -> statuses counted
STATUS_LINES = {
    "displaced": DISPLACED_STATUSES,
    "returned": (Status.RETURNED,),
    "locally integrated": (Status.LOCALLY_INTEGRATED,),
    "settled elsewhere": (Status.SETTLED_ELSEWHERE,),
    "regular migration": (Status.REGULAR_MIGRATION,),
    "irregular migration": (Status.IRREGULAR_MIGRATION,),
}
#: the summary outcomes shown in the app's table, with their labels
OUTCOMES = {
    "self_reliant_share": "self-reliant",
    "harmful_coping_share": "in crisis or emergency coping",
    "aid_dependent_share": "aid-dependent",
    "durable_solution_share": "durable solution (of ever displaced)",
    "irregular_migration": "gone irregularly",
    "involuntary_immobility_share": "stuck (want to move, cannot)",
    "cost_total": "spent (USD)",
}
BASELINE, INTERVENTION = "baseline", "intervention"


def intervention_entry(kind: str, *, target_group: str, coverage: float, rule: str,
                       start: int, duration: int, budget: float, steps: int) -> dict[str, Any]:
    """The scenario's ``interventions`` entry for the app's levers (validated by the schema).

    ``budget`` is in thousand USD, 0 meaning no cap; the window is cut to the run.
    """
    if kind not in REGISTRY:
        raise ValueError(f"intervention {kind!r}: allowed {', '.join(REGISTRY)}, {NO_INTERVENTION}")
    start = min(int(start), steps)
    entry: dict[str, Any] = {
        "type": kind, "name": f"{kind} (app)", "start": start,
        "end": min(steps, start + int(duration) - 1),
        "targeting": {"share": float(coverage), "rule": rule},
    }
    groups = group_codes(target_group)
    if groups is not None:
        entry["targeting"]["groups"] = groups
    if budget and budget > 0:
        entry["budget"] = float(budget) * 1000.0
    return entry


class WorkshopModel(mesa.Model):
    """One or two PRDS runs stepped together, built from the app's controls.

    Args:
        scenario_name: a name from :func:`bundled_scenarios` (default: the first on offer).
        scenario_path: an extra scenario file offered with the bundled ones (``prds app FILE``).
        seed: run seed of both runs (default: the scenario's).
        compare: also run the baseline, side by side.
        intervention: a type from ``REGISTRY``, or ``"none"``.
        target_group, coverage, rule, start, duration, budget: the intervention's levers
            (budget in thousand USD, 0 = no cap); other fields keep their declared defaults.
        scenario: Mesa's experiment ``Scenario``, which SolaraViz passes on Reset; unused (the
            PRDS scenario is ``scenario_name``).
        **parameters: behavioural parameters (``simulation.params.Parameters`` names).
    """

    def __init__(self, scenario_name: str | None = None, scenario_path: str | None = None,
                 seed: int | None = None, compare: bool = True,
                 intervention: str = DEFAULT_INTERVENTION, target_group: str = DEFAULT_GROUP,
                 coverage: float = 1.0, rule: str = "random", start: int = 1,
                 duration: int | None = None, budget: float = 0.0, scenario: Any = None,
                 **parameters: float):
        unknown = sorted(set(parameters) - set(Parameters.model_fields))
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)}; allowed: "
                             f"{', '.join(Parameters.model_fields)}")
        choices = bundled_scenarios(scenario_path)
        name = scenario_name or next(iter(choices))
        if name not in choices:
            raise ValueError(f"scenario {name!r}: allowed {', '.join(choices)}")
        self.path = Path(choices[name])
        overrides = {f"parameters.{k}": float(v) for k, v in parameters.items()}
        base = load_scenario(self.path, overrides)
        super().__init__(rng=base.seed if seed is None else int(seed))
        self.seed = base.seed if seed is None else int(seed)
        self.steps_total = base.steps
        self.intervention = intervention
        self.target_group = target_group if intervention != NO_INTERVENTION else ALL_GROUPS
        self.specs: dict[str, Scenario] = {}
        self.problem: str | None = None  # why the intervention run could not be built
        if intervention == NO_INTERVENTION:
            self.specs[BASELINE] = base
        else:
            entry = intervention_entry(intervention, target_group=target_group,
                                       coverage=coverage, rule=rule, start=start,
                                       duration=base.steps if duration is None else duration,
                                       budget=budget, steps=base.steps)
            if compare:
                self.specs[BASELINE] = base
            raw = base.model_dump(mode="python")
            raw["interventions"] = [*raw.get("interventions", []), entry]
            try:
                self.specs[INTERVENTION] = load_scenario(raw)
            except ScenarioError as error:  # e.g. a type whose defaults do not fit this graph
                self.problem = f"{intervention} cannot run on {name}: {error}"
                self.specs = {BASELINE: base}
        self.runs = {arm: PRDSModel(spec, seed=self.seed, with_agents=False)
                     for arm, spec in self.specs.items()}
        self.history: dict[str, list[dict[str, float]]] = {arm: [] for arm in self.runs}
        for arm in self.runs:
            self.history[arm].append(self.snapshot(arm))

    @property
    def arms(self) -> list[str]:
        """The runs on show, baseline first."""
        return list(self.runs)

    @property
    def intervention_spec(self):
        """The intervention the app added (None when only the baseline runs)."""
        spec = self.specs.get(INTERVENTION)
        return spec.interventions[-1] if spec is not None else None

    def describe_levers(self) -> str:
        """What this model was built with, in words (lever changes apply on Reset)."""
        spec = self.intervention_spec
        if spec is None:
            return "No intervention: the scenario as written."
        target = spec.targeting
        who = "all groups" if target.groups is None else " and ".join(target.groups)
        budget = "no cap" if spec.budget is None else f"{spec.budget:,.0f} USD"
        return (f"{spec.type} for {who}: {target.share:.0%} of the eligible "
                f"({target.rule.replace('_', ' ')}), steps {spec.start} to {spec.end}, "
                f"budget {budget}.")

    def step(self) -> None:
        """Step every run once and record what the charts show."""
        for arm, run in self.runs.items():
            run.step()
            self.history[arm].append(self.snapshot(arm))
        self.running = all(run.running for run in self.runs.values())

    def snapshot(self, arm: str) -> dict[str, float]:
        """What the charts plot for one run at its current step (counts and shares)."""
        run = self.runs[arm]
        hh = run.households
        n = max(len(hh), 1)
        by_status = np.bincount(hh.status, minlength=len(Status))
        by_level = np.bincount(hh.lcs, minlength=len(Coping) + 1)
        row: dict[str, float] = {"step": run.steps}
        for label, statuses in STATUS_LINES.items():
            row[label] = float(by_status[list(statuses)].sum())
        for level in Coping:
            row[f"lcs_{int(level)}"] = float(by_level[level]) / n
        summary = summarize(run)  # the same definitions as every report (outputs/summary.py)
        row.update({key: float(summary[key]) for key in OUTCOMES})
        return row

    def outcomes(self) -> list[dict[str, Any]]:
        """The outcome table now: one row per outcome, a value per run, and the difference."""
        rows = []
        for key, label in OUTCOMES.items():
            row: dict[str, Any] = {"outcome": label, "key": key}
            for arm in self.runs:
                row[arm] = self.history[arm][-1][key]
            if len(self.runs) == 2:
                row["difference"] = row[INTERVENTION] - row[BASELINE]
            rows.append(row)
        return rows

    def node_shares(self, arm: str, colour_by: str) -> tuple[np.ndarray, np.ndarray]:
        """Households at each node, and the share of them harmful-coping or self-reliant.

        Before the first step the shares are NaN: no indicator has been computed yet.
        """
        run = self.runs[arm]
        hh, n_nodes = run.households, run.graph.n_nodes
        at = np.bincount(hh.node, minlength=n_nodes)
        if run.steps == 0:  # indicators are computed by the first step: nothing to colour yet
            return at, np.full(n_nodes, np.nan)
        mask = hh.self_reliant if colour_by == "self-reliance" else hh.lcs >= Coping.CRISIS
        count = np.bincount(hh.node, weights=mask, minlength=n_nodes)
        return at, np.divide(count, at, out=np.zeros(n_nodes), where=at > 0)


def describe_intervention(spec) -> str:
    """One line on an intervention: its docstring's first line and its type-specific levers.

    The levers common to every type are on the app's sliders; the others keep their declared
    defaults, listed here with their meaning so a trainer can say what the programme gives.
    """
    import inspect

    from simulation.interventions.base import InterventionSpec

    doc = (inspect.getdoc(type(spec)) or spec.type).splitlines()[0]
    own = [name for name in type(spec).model_fields if name not in InterventionSpec.model_fields]
    for name in own:  # "a transfer of ``transfer`` USD" -> "a transfer of 100 USD"
        value = getattr(spec, name)
        if isinstance(value, int | float):
            doc = doc.replace(f"``{name}``", f"{value:g}")
    doc = doc.replace("``", "")
    levers = []
    for name in own:
        value = getattr(spec, name)
        if value is None or isinstance(value, list | dict):
            continue
        meaning = type(spec).model_fields[name].description or ""
        meaning = meaning.split(" (")[0]
        levers.append(f"{name.replace('_', ' ')} {value:g} ({meaning})" if isinstance(value, float)
                      else f"{name.replace('_', ' ')} {value} ({meaning})")
    return doc + (" Fixed here: " + "; ".join(levers) + "." if levers else "")
