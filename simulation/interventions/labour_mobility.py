"""Labour mobility: a regular labour pathway abroad that recruits (DESIGN.md section 4).

A labour mobility programme (IOM labour migration support, bilateral labour agreements such as
the Pacific and Gulf schemes) does not wait for workers to turn up: it matches eligible workers
to job orders abroad, arranges visas, pre-departure orientation and travel, and its places are
usually oversubscribed.

``recruit: true`` (the default): each step the programme offers ``slots_per_month`` places a
month into each of ``edge_nodes`` (whole places; a fractional remainder carries to the next
step) to eligible households, in the targeting rule's order (``random`` by default: this
step's draw of the intervention's own stream, one draw per household per step, so common
random numbers hold). Places not filled in a step lapse. Eligible: the usual targeting (nodes,
groups, statuses, minimum coping level, share and count, per step), and documented, mobile
(present at a node that is not abroad, not in transit, not already a migrant, not fleeing this
step) and wanting to move: ``aspiration`` at or above ``involuntary_immobility_aspiration``.
The interventions phase runs before mobility, so this is the aspiration the mobility phase
computed at the *previous* step (at step 1 the initial value, 0: nobody is recruited before
step 2).

Each recruit is matched to one pathway node by the model's own destination rule, Flee's
1 / (softening + distance)^power (a second draw of the intervention's stream), restricted to
the pathway nodes it can reach by an open route that still have places (and room, if
capacity-limited); recruits a node cannot take draw again among the nodes with places left
(at most one round per node). With one pathway node, as usual, this is simply that node. In
household mode (``mode``, below) the programme writes the match in ``today.recruited_to`` (destination node, -1 for none) and the
mobility phase moves the recruit there this step through its own move machinery (journey time
and ``in_transit``, flows, ``regular_migration`` status via ``next_status``), instead of the
household's own decision, first for room and without a fare: the programme pays the journey.

Cost: ``cost_per_slot`` per place *filled* (works: matching, visa, medical, pre-departure
orientation and travel; assumption: USD 500-1,500 per migrant in bilateral labour
agreements). A recruiting programme's variable costs are incurred per worker deployed, and
planners read cost per outcome: charging places nobody took would show idle capacity as cost.
The programme's fixed costs are its ``overhead``. A ``budget`` caps recruits at what is left.

``mode`` says who goes. ``worker`` (the default), as labour mobility schemes work (the
Pacific seasonal worker schemes, Gulf and EU bilateral labour agreements): a recruited
household (eligible as above, and of at least 2 persons) sends ONE member abroad on a
contract of ``contract_months`` (assumption: 12; seasonal and temporary schemes run 6-12
months, e.g. New Zealand's RSE up to 7 months in 11, Australia's seasonal work up to 9; longer
contracts, as in Gulf agreements, are a setting). The household
stays where it is with its status unchanged: its ``size`` drops by 1 while the worker is away
(its needs, rations and earners with it), ``worker_node`` records the abroad node and
``worker_return_step`` the step the worker comes home. Every step of the contract the
livelihoods phase adds remittances to the household's ``income`` (not ``aid``: they are no
programme money and no aid dependency): ``remittance_share`` (params.py) x the wage at that
node x months. The contract lasts ``contract_months`` rounded to whole steps (at least one):
a worker recruited at step s is away for steps s .. s + n - 1 and back at the start of step
s + n (this intervention's step, which brings workers home whether or not its window is
still open), with ``size`` restored and remittances stopped. No lump sum of savings comes
home: ``remittance_share`` stands for both. Workers take no room in capacity-limited abroad
nodes (room counts households) and move nobody in the mobility phase; flows and the table
do not show them; the summary's ``workers_abroad_share`` counts their households. A household
whose worker is away is not recruited again until the worker is home. ``household``: the
whole household moves, as described above (``today.recruited_to``, the mobility phase).

``recruit: false`` is the passive pathway: the places are added to ``today.extra_slots``
(the mobility phase's regular-pathway places into each abroad node this step), used only by
documented households whose own destination draw lands there; each place costs
``cost_per_slot`` whether used or not. Pair either with ``governance_hlp`` to document people.
"""
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from simulation.codes import NodeType, Status
from simulation.interventions.base import Intervention, InterventionSpec

NonNegative = Annotated[float, Field(ge=0.0)]


class LabourMobility(Intervention):
    def init(self, model) -> None:
        super().init(model)
        graph = model.graph
        names = self.spec.edge_nodes
        self.destinations = (np.flatnonzero(graph.type == NodeType.ABROAD) if names is None
                             else np.array([graph.index[name] for name in names], dtype=np.int64))
        self.offered = 0.0  # places offered into each node so far (recruitment)
        self.recruits = 0  # households recruited so far
        self.workers = self.spec.mode == "worker"
        self.contract_steps = max(1, int(round(self.spec.contract_months / self.months)))

    def step(self, model, step: int) -> None:
        """Workers whose contract ends come home first, every step (also after the window)."""
        if self.workers:
            bring_workers_home(model, step)
        super().step(model, step)

    def select(self, model, step):
        return np.empty(0, dtype=np.int64)  # nobody is enrolled: recruits are matched each step

    def eligible(self, model) -> np.ndarray:
        """The targeting, and documented, mobile, not fleeing, wanting to move (last step's
        aspiration), not already recruited this step; sending a worker: of 2 persons or more,
        nobody away already."""
        hh, graph = model.households, model.graph
        mask = super().eligible(model)
        mask &= hh.documented
        mask &= graph.type[hh.node] != NodeType.ABROAD
        mask &= hh.aspiration >= model.params.involuntary_immobility_aspiration
        mask &= ~model.today.fleeing
        if model.today.recruited_to is not None:
            mask &= model.today.recruited_to < 0
        if self.workers:
            mask &= hh.size >= 2
            mask &= hh.worker_node < 0
        return mask

    def apply(self, model, step, rows):
        if len(self.destinations) == 0:
            return
        if self.spec.recruit:
            self.recruit(model, step)
            return
        slots = self.spec.slots_per_month * self.months
        planned = slots * self.spec.cost_per_slot * len(self.destinations)
        spent = self.spend_on_works(planned)
        funded = spent / planned if planned > 0 else 1.0
        np.add.at(model.today.extra_slots, self.destinations, slots * funded)

    def recruit(self, model, step: int) -> None:
        """Offer this step's places to the eligible; write the matches in ``today.recruited_to``."""
        # imported here, as in moves.py: the scenario schema imports the interventions
        from simulation.phases.mobility import (
            destination_cdfs,
            destination_weights,
            draw_from_cdf,
            rank_within,
        )

        before = np.floor(self.offered + 1e-9)
        self.offered += self.spec.slots_per_month * self.months
        places = int(np.floor(self.offered + 1e-9) - before)
        if places == 0:
            return
        hh, graph, params = model.households, model.graph, model.params
        candidates = self.ranked(model, step)  # in the targeting rule's order
        if len(candidates) == 0:
            return
        quota = np.zeros(graph.n_nodes, dtype=np.int64)
        np.add.at(quota, self.destinations, places)
        if not self.workers:  # a whole household needs room; a worker takes no household's
            # room at capacity-limited destinations: households there or on their way
            where = np.where(hh.status == Status.IN_TRANSIT, hh.destination, hh.node)
            claims = np.bincount(where, minlength=graph.n_nodes)
            room = np.floor(graph.capacity * params.capacity_scaling) - claims
            quota = np.where(np.isfinite(room), np.minimum(quota, np.maximum(room, 0.0)), quota)
        quota = quota.astype(np.int64)

        distance, _ = graph.routes(step)
        decay = graph.distance_decay(step, params.softening_km, params.distance_power)
        at = hh.node[candidates].astype(np.intp)
        u = model.streams.uniform(f"{self.stream}:destination", step, len(hh))[candidates]
        order = np.arange(len(candidates), dtype=np.float64)  # first in the rule's order first
        dest = np.full(len(candidates), -1, dtype=np.int64)
        for _ in range(len(self.destinations)):  # each round fills a node or places everyone
            waiting = np.flatnonzero(dest < 0)
            if len(waiting) == 0 or not (quota > 0).any():
                break
            value = (quota > 0).astype(np.float64)
            totals, cdf = destination_cdfs(destination_weights(value, distance, params, decay))
            choice = draw_from_cdf(cdf, totals, at[waiting], u[waiting])
            drawn = choice >= 0
            if not drawn.any():
                break
            waiting, choice = waiting[drawn], choice[drawn]
            rank = rank_within(choice, order[waiting])
            taken = rank < quota[choice]
            dest[waiting[taken]] = choice[taken]
            quota -= np.bincount(choice[taken], minlength=graph.n_nodes)

        matched = np.flatnonzero(dest >= 0)  # in the rule's order
        cost = self.spec.cost_per_slot
        left = self.spendable()
        if cost > 0 and np.isfinite(left):  # a budget: recruits in order while it lasts
            matched = matched[: int(np.floor(left / cost + 1e-9))]  # spendable is a hair under
        if len(matched) == 0:
            return
        self.spend_on_works(cost * len(matched))
        rows = candidates[matched]
        if self.workers:  # one member leaves on a contract; the household stays
            hh.worker_node[rows] = dest[matched]
            hh.worker_return_step[rows] = step + self.contract_steps
            hh.size[rows] -= 1
        else:
            if model.today.recruited_to is None:
                model.today.recruited_to = np.full(len(hh), -1, dtype=np.int64)
            model.today.recruited_to[rows] = dest[matched]
        self.recruits += len(rows)
        self.reached = np.union1d(self.reached, rows)
        self.households_reached = len(self.reached)


def bring_workers_home(model, step: int) -> None:
    """Workers whose contract ends by this step come home: size back up, nobody away.

    Idempotent within a step (several programmes may call it)."""
    hh = model.households
    due = hh.worker_return_step
    rows = np.flatnonzero((due >= 0) & (due <= step))
    if len(rows):
        hh.size[rows] += 1
        hh.worker_node[rows] = -1
        hh.worker_return_step[rows] = -1


class LabourMobilitySpec(InterventionSpec):
    """Regular labour pathway abroad: places per month into the named abroad nodes, filled by
    recruiting eligible households (``recruit``: one worker each, or whole households, see
    ``mode``) or left open to those who choose to go."""

    type: Literal["labour_mobility"] = "labour_mobility"
    edge_nodes: list[str] | None = Field(
        None, description="abroad nodes the pathway leads to (default: every abroad node)",
    )
    slots_per_month: NonNegative = Field(20.0, description="places per month into each node")
    cost_per_slot: NonNegative = Field(
        800.0, description="USD per place filled when recruiting (matching, visa, "
                           "pre-departure, travel), per place offered otherwise (assumption)",
    )
    recruit: bool = Field(
        True, description="the programme offers its places each step to eligible households "
                          "(targeting, documented, mobile, last step's aspiration at least "
                          "involuntary_immobility_aspiration), in the targeting rule's order, "
                          "and sends recruits (see mode) this step at its cost; false: places "
                          "are only opened to documented households that choose to go abroad",
    )
    mode: Literal["worker", "household"] = Field(
        "worker", description="worker: a recruited household of 2 or more sends one member "
                              "abroad for contract_months; the household stays, one person "
                              "smaller, and receives remittances (remittance_share x the wage "
                              "abroad) as income until the worker comes home; household: the "
                              "whole household moves abroad as a regular migrant. Applies "
                              "when recruiting (recruit: false only opens places to whole "
                              "households)",
    )
    contract_months: Annotated[float, Field(gt=0.0, le=120.0)] = Field(
        12.0, description="months a worker stays abroad (worker mode; rounded to whole steps, "
                          "at least one; assumption: seasonal and temporary schemes run 6-12)",
    )
    runtime = LabourMobility
    acts_on = ("today.extra_slots", "today.recruited_to", "household.size",
               "household.worker_node", "household.worker_return_step")

    def graph_problems(self, graph) -> list[str]:
        types = {node.name: node.type for node in graph.nodes}
        return [f"edge_nodes: {name!r} is a {types[name]} node; a pathway leads to an abroad node"
                for name in self.edge_nodes or [] if name in types and types[name] != "abroad"]
