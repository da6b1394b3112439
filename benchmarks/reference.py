"""The per-agent Mesa reference: the engine's rules written household by household.

Used only to measure the vectorized engine against, and to cross-check it statistically
(``tests/benchmarks/test_reference_agreement.py``). It is the straightforward Mesa way of
writing the model (the Mesa examples' idiom): every household is a ``mesa.Agent`` holding its
own state as plain attributes, with its own ``step()``, activated in random order with
``model.agents.shuffle_do``; node-level quantities (threat, damage, jobs per seeker,
destination weights, host averages) are computed by the model between agent stages, once
per node, with the same functions the engine uses.

The rules are those of ``simulation/phases/*.py`` (see each phase for sources), translated
to scalar Python in the same order. A step has three agent stages, because some rules need
a total over all households before any household can go on: ``start_step`` (flight draw,
camp rations, livelihood choice, labour offered at the node), then the model shares jobs
and updates cohesion, then ``step`` (income, coping ladder, indicators, mobility), then the
model takes host averages, then ``finish_step`` (durable solutions). Capacity-limited
places and regular-pathway slots go first come, first served in the activation order, which
is the engine's rule (rank by a random draw) for a random order.

Randomness differs from the engine by design (Mesa's ``model.random``, one draw when a
household needs it, not the engine's named per-household streams), so the two agree in
distribution, not draw for draw. The starting households are built by the engine's own
``simulation.population`` code, so the same seed starts both from the same state.
Interventions, arrivals, hop-by-hop journeys and partial plans are not modelled here; a
scenario using them is refused.
"""

from types import SimpleNamespace

import mesa
import numpy as np

from benchmarks.reference_household import HOST, IN_PLACE, STATE, TRANSIT, ReferenceHousehold
from simulation.codes import Coping, Status
from simulation.graph import SettlementGraph
from simulation.params import per_step
from simulation.phases import livelihoods as livelihood_rules
from simulation.phases import mobility as mobility_rules
from simulation.phases.shocks import flight_probability, update_damage
from simulation.population import build_households
from simulation.random_streams import RandomStreams
from simulation.scenario.schema import Scenario

__all__ = ["ReferenceHousehold", "ReferenceModel"]


class ReferenceModel(mesa.Model):
    """The per-agent model; ``summaries`` holds the summary keys after every step."""

    def __init__(self, scenario: Scenario, seed: int | None = None, steps: int | None = None,
                 common_draws: bool = False):
        unsupported = [what for what, used in (
            ("interventions", scenario.interventions),
            ("arrivals", getattr(scenario, "arrivals", None)),
            ("a subset of phases", getattr(scenario, "phases", None) is not None),
            ("hop-by-hop flight", getattr(scenario.parameters, "hop_by_hop_flight", 0) > 0),
        ) if used]
        if unsupported:
            raise ValueError(f"the reference model runs the core rules only; scenario "
                             f"{scenario.name!r} has {', '.join(unsupported)}")
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.params = scenario.parameters
        self.days_per_step = scenario.days_per_step
        self.months = self.days_per_step / 30.0
        self.reach_km = self.params.travel_speed_km_day * self.days_per_step
        self.steps_total = scenario.steps if steps is None else int(steps)
        self.graph = SettlementGraph(scenario.graph, self.steps_total,
                                     travel_cost_per_km=self.params.travel_cost_per_km)
        self.baseline_aid = 0.0
        self.flows = np.zeros((self.graph.n_nodes, self.graph.n_nodes), dtype=np.int64)
        self.summaries: list[dict] = []
        self.streams = RandomStreams(seed)
        self.common_draws = common_draws
        store = build_households(scenario.populations, self.graph, self.streams,
                                 self.days_per_step)
        self.n_households = len(store)
        columns = {name: getattr(store, name).tolist() for name in STATE}
        # the latent credit draw (coping rule 6): the engine's stream at step 0, or Mesa's
        credit = (self.streams.uniform("credit_access", 0, len(store)).astype(np.float32)
                  if common_draws else None)
        # the latent draw of the household's own home (mobility, indicators.home_condition)
        home = (self.streams.uniform("home_damage", 0, len(store)).astype(np.float32)
                if common_draws else None)
        for i in range(len(store)):
            # compared in float32, as the engine's float32 column is
            draw = credit[i] if credit is not None else np.float32(self.random.random())
            lender = (columns["group"][i] == HOST or self.params.credit_access >= 1.0
                      or bool(draw < self.params.credit_access))
            home_draw = home[i] if home is not None else np.float32(self.random.random())
            ReferenceHousehold(self, {"row": i, "has_lender": lender,
                                      "home_damage_draw": float(home_draw),
                                      **{name: values[i] for name, values in columns.items()}})

    def step(self) -> None:
        t, n = self.steps, self.graph.n_nodes
        if self.common_draws:
            self.draws = {name: self.streams.uniform(name, t, self.n_households).tolist()
                          for name in ("flight", "move", "destination", "return",
                                       "return_home")}
        self.shocks(t)
        self.seekers, self.residents, self.outsiders = [0.0] * n, [0] * n, [0] * n
        self.agents.shuffle_do("start_step")
        self.share_jobs()
        self.prepare_moves(t)
        self.agents.shuffle_do("step")
        self.host_averages()
        self.agents.do("finish_step")
        self.summaries.append({"step": t, **self.summary()})
        if t >= self.steps_total:
            self.running = False

    def shocks(self, t: int) -> None:
        """Threat, damage and flight probability per node (as ``phases.shocks``)."""
        g, p, months = self.graph, self.params, self.months
        scheduled = g.threat_by_step[min(t, len(g.threat_by_step) - 1)]
        p_spike = per_step(g.hazard, self.days_per_step)
        u = (self.streams.uniform("hazard", t, g.n_nodes).tolist() if self.common_draws
             else [self.random.random() for _ in p_spike])
        spikes = np.array([draw < q for draw, q in zip(u, p_spike, strict=True)])
        g.spike_until = np.where(spikes, t + g.hazard_months / months, g.spike_until)
        g.threat = np.maximum(scheduled, np.where(g.spike_until >= t, g.hazard_threat, 0.0))
        g.damage = update_damage(g.damage, g.threat, p, months)
        intact = 1.0 - g.damage
        g.services = g.base_services * intact
        g.housing = g.base_housing * intact
        g.labour_demand = g.base_labour_demand * intact * (1.0 - 0.5 * g.threat)
        g.market = g.base_market * (1.0 - 0.5 * g.threat)
        self.p_flee = flight_probability(g.threat, p, self.days_per_step).tolist()
        self.refresh_node_lists()

    def refresh_node_lists(self) -> None:
        """Node attributes as Python lists, for the agents' scalar arithmetic."""
        self.at = SimpleNamespace(**{name: getattr(self.graph, name).tolist() for name in (
            "type", "threat", "damage", "services", "housing", "meb", "wage", "market",
            "cohesion", "hlp", "freedom_of_movement")})

    def share_jobs(self) -> None:
        """Jobs per seeker and the cohesion change at each node (as ``phases.livelihoods``)."""
        g, p, months = self.graph, self.params, self.months
        seekers = np.array(self.seekers)
        self.employment_rate = livelihood_rules.employment_rate(seekers, g.labour_demand).tolist()
        with np.errstate(divide="ignore", invalid="ignore"):
            excess = np.where(g.labour_demand > 0, seekers / g.labour_demand - 1.0,
                              np.where(seekers > 0, 2.0, 0.0))
        excess = np.clip(excess, 0.0, 2.0)
        residents = np.array(self.residents, dtype=float)
        share = np.divide(np.array(self.outsiders, dtype=float), residents,
                          out=np.zeros(g.n_nodes), where=residents > 0)
        mixing = 4.0 * share * (1.0 - share)
        g.cohesion = np.clip(g.cohesion - p.tension_rate * excess * mixing * months
                             + p.cohesion_recovery * (g.base_cohesion - g.cohesion) * months,
                             0.0, 1.0)
        self.refresh_node_lists()

    def prepare_moves(self, t: int) -> None:
        """Routes, room, slots and destination tables per node (as ``phases.mobility``)."""
        g, p = self.graph, self.params
        self.distance, self.cost = g.routes(t)
        self.distance_regular, _ = g.routes(t, cross_borders=False)
        occupancy = np.zeros(g.n_nodes)
        for agent in self.agents:  # where each household is, or is heading to
            occupancy[agent.destination if agent.status == TRANSIT else agent.node] += 1
        self.room = (g.capacity * p.capacity_scaling - occupancy).tolist()
        self.placed = [0] * g.n_nodes
        self.slots = g.regular_slots_into(t, self.days_per_step).tolist()
        self.slots_taken = [0] * g.n_nodes
        self.cdf, self.totals = {}, {}
        for kind in ("forced", "voluntary", "abroad"):
            weights = mobility_rules.destination_weights(
                mobility_rules.attractiveness(g, p, kind, np.array(self.room)), self.distance, p)
            totals = weights.sum(axis=1)
            cdf = np.cumsum(weights, axis=1) / np.where(totals > 0, totals, 1.0)[:, None]
            self.cdf[kind], self.totals[kind] = cdf.tolist(), totals.tolist()
        self.distance, self.cost, self.distance_regular = (
            table.tolist() for table in (self.distance, self.cost, self.distance_regular))

    def host_averages(self) -> None:
        """Host households' mean living standard and earnings ratio at each node."""
        n = self.graph.n_nodes
        living, earned, count = [0.0] * n, [0.0] * n, [0] * n
        for agent in self.agents:
            if agent.group == HOST and agent.status == IN_PLACE:
                living[agent.node] += agent.living_standard
                earned[agent.node] += agent.income / max(agent.need, 1e-6)
                count[agent.node] += 1
        self.host_living = [living[i] / count[i] if count[i] else 1.0 for i in range(n)]
        self.host_earned = [earned[i] / count[i] if count[i] else 0.5 for i in range(n)]

    def summary(self) -> dict:
        """The engine's summary keys (``simulation.outputs.summary``), from the agents."""
        agents = list(self.agents)
        n = len(agents)
        statuses = [0] * len(Status)
        ever = durable = 0
        totals = dict.fromkeys(("self_reliant", "harmful", "emergency", "aid_dependent",
                                "immobile", "rsi", "rcsi", "persons"), 0.0)
        for a in agents:
            statuses[a.status] += 1
            ever += a.ever_displaced
            durable += a.ever_displaced and a.durable_solution
            totals["self_reliant"] += a.self_reliant
            totals["harmful"] += a.lcs >= Coping.CRISIS
            totals["emergency"] += a.lcs == Coping.EMERGENCY
            totals["aid_dependent"] += a.aid_dependent
            totals["immobile"] += a.immobile
            totals["rsi"] += a.rsi
            totals["rcsi"] += a.rcsi
            totals["persons"] += a.size
        out = {"households": n, "persons": int(totals["persons"]),
               "self_reliant_share": totals["self_reliant"] / n,
               "harmful_coping_share": totals["harmful"] / n,
               "emergency_coping_share": totals["emergency"] / n,
               "aid_dependent_share": totals["aid_dependent"] / n,
               "durable_solution_share": durable / ever if ever else 0.0}
        for key in ("returned", "locally_integrated", "settled_elsewhere", "regular_migration",
                    "irregular_migration", "redisplaced"):
            out[key] = statuses[Status[key.upper()]] / n
        out["involuntary_immobility_share"] = totals["immobile"] / n
        out["mean_rsi"] = totals["rsi"] / n
        out["mean_rcsi"] = totals["rcsi"] / n
        out["cost_total"] = 0.0
        return out

    def run(self) -> None:
        while self.steps < self.steps_total:
            self.step()
