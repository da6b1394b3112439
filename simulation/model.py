"""The PRDS model: a Mesa model whose step runs the phases of DESIGN.md section 3 on arrays.

State lives in one place: ``model.households`` (the column store) and ``model.graph`` (the
settlement graph and its node arrays). Mesa agents in ``model.agents`` are views onto
household rows, for inspection; the step never loops over them.
"""

import time
from types import SimpleNamespace

import mesa
import numpy as np

from agents.households import create_agents
from simulation.chunks import RowChunks
from simulation.graph import SettlementGraph
from simulation.memory import keep_freed_memory
from simulation.outputs.recorder import Recorder
from simulation.phases import plan_for
from simulation.phases.arrivals import count_at
from simulation.population import build_households
from simulation.random_streams import RandomStreams
from simulation.scenario.schema import Scenario


def expected_households(scenario: Scenario, steps: int) -> int:
    """Households a run will hold: the populations plus every step's arrivals (so the
    store is allocated once, not grown by doubling)."""
    arriving = sum(count_at(spec, t) for spec in scenario.arrivals for t in range(1, steps + 1))
    return sum(p.households for p in scenario.populations) + arriving


class PRDSModel(mesa.Model):
    """Households on a settlement graph, coping, earning and moving under interventions.

    Args:
        scenario: a validated :class:`Scenario` (see ``simulation.scenario.load_scenario``).
        seed: run seed (default: the scenario's). Same scenario and seed, same numbers.
        steps: number of steps (default: the scenario's).
        with_agents: create the Mesa agent views (default True; off for bulk sweeps).
        layout: the household columns to keep and their dtypes (default: all, see
            ``HouseholdStore``); for plans that read few columns, e.g. Flee validations.
        recorder: what records each step, called with the model (default ``Recorder``: the
            tidy table and the summary at every step; ``FinalSummary``: the last summary only).
    """

    def __init__(self, scenario: Scenario, seed: int | None = None, steps: int | None = None,
                 with_agents: bool = True, layout: dict | None = None, recorder=Recorder):
        seed = scenario.seed if seed is None else int(seed)
        keep_freed_memory()  # a step's large temporaries reuse freed memory (memory.py)
        super().__init__(rng=seed)
        self.spec = scenario  # (Mesa reserves `model.scenario` for its own Scenario class)
        self.seed = seed
        self.with_agents = with_agents  # arrivals get agent views too
        self.params = scenario.parameters
        self.days_per_step = scenario.days_per_step
        self.steps_total = scenario.steps if steps is None else int(steps)
        self.streams = RandomStreams(seed)
        self.row_chunks = RowChunks()  # per-household rules on slices of rows (chunks.py)
        self.graph = SettlementGraph(scenario.graph, self.steps_total,
                                     travel_cost_per_km=self.params.travel_cost_per_km)
        self.households = build_households(scenario.populations, self.graph, self.streams,
                                           self.days_per_step, layout=layout,
                                           reserve=expected_households(scenario,
                                                                       self.steps_total))
        self.accounts = {"baseline_aid": 0.0}
        self.flows = np.zeros((self.graph.n_nodes, self.graph.n_nodes), dtype=np.int64)
        self.interventions = [spec.build(i) for i, spec in enumerate(scenario.interventions)]
        for intervention in self.interventions:
            intervention.init(self)
        self.plan = plan_for(scenario)
        self.phase_seconds = dict.fromkeys((name for name, _ in self.plan), 0.0)
        self.today = SimpleNamespace()
        self.recorder = recorder(self)
        if with_agents:
            create_agents(self, np.arange(len(self.households)))

    def step(self) -> None:
        """One step: every phase of the plan in order, then record (Mesa counts ``steps``)."""
        t = self.steps  # Mesa has already counted this step: steps run 1..steps_total
        self.today = SimpleNamespace(
            fleeing=np.zeros(len(self.households), dtype=bool),
            extra_slots=np.zeros(self.graph.n_nodes),
            moved=np.empty(0, dtype=np.int64),
            # destination node per household recruited whole by a labour mobility programme
            # this step (-1: not recruited); None while no programme recruits
            recruited_to=None,
            # index of the return programme on request paying each household's journey home
            # (-1: none); None while no such programme runs (interventions/relocation.py)
            return_fare_paid_by=None,
            # the node each household added this step appeared at (phases/arrivals.py)
            spawned_at=np.empty(0, dtype=np.int64),
            # whether the recorder reads this step's state (else the indicators that only
            # report are left uncomputed: phases/indicators.py); recorders without
            # ``records`` read every step
            reporting=getattr(self.recorder, "records", lambda _t: True)(t),
        )
        self.graph.follow_schedules(t)  # MEB, wage and jobs that change over the run
        for name, phase in self.plan:
            started = time.perf_counter()
            phase(self, t)
            self.phase_seconds[name] += time.perf_counter() - started
        self.recorder.record(t)
        if t >= self.steps_total:
            self.running = False
            self.streams.close()
            self.row_chunks.close()
        else:  # large populations: next step's draws are made meanwhile (random_streams.py)
            self.streams.prefetch(t + 1, len(self.households))

    def run(self, progress=None) -> None:
        """Run all remaining steps; ``progress(step)`` is called after each if given."""
        while self.steps < self.steps_total:
            self.step()
            if progress is not None:
                progress(self.steps)

    @property
    def cost_total(self) -> float:
        return float(sum(i.cost for i in self.interventions))
