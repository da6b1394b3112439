"""Invariants of a run, checked over a model's state after every step (issue 9).

Planners base funding decisions on these numbers, so a silent wrong number is the worst
bug. Each invariant below is a rule the model must keep whatever the scenario; a test (or
``run_checked``) calls :class:`InvariantChecker` after every step and fails on the first
step that breaks one, naming the invariant, the step and the offending households or nodes.

What "capacity binds" means here (the rule ``simulation/phases/mobility.py`` implements):
a node's capacity (``capacity`` x ``capacity_scaling``, in households) limits *moves into*
it. A node's claims are the households at it plus those in transit towards it; moves never
push claims above the capacity, nobody is evicted, and a node that starts a step above its
capacity (an initial population may exceed it) admits no newcomers, so its claims never
grow. Checked as ``claims_after <= max(floor(capacity), claims_before)`` at every node, where
households that appeared during the step (arrivals) and are still where they appeared count
as already there, as a starting population does.
"""

from dataclasses import dataclass, field

import numpy as np

from simulation.codes import ABROAD_STATUSES, DISPLACED_STATUSES, Coping, Group, NodeType, Status
from simulation.phases.coping import BIT, DISTRESS_SALE_PRICE, LADDER, RESTORABLE, borrow_limit
from simulation.phases.indicators import is_self_reliant

#: every invariant checked, with what it says (the names appear in violation messages)
INVARIANTS: dict[str, str] = {
    "households_conserved": "rows are never removed and each household keeps its size (a "
                            "member away on a labour contract counted in it), so persons are "
                            "conserved; new rows (spawned arrivals) are counted",
    "arrivals_departures": "at every node, households present or en route change exactly by "
                           "the recorded flows in and out (plus spawned arrivals)",
    "one_status_one_node": "each household has one valid group, status and node; in transit "
                           "exactly when it has a destination; displaced statuses were displaced",
    "capacity": "moves never raise a node's claims above its capacity (x capacity_scaling); "
                "a node already above it admits no newcomers (arrivals that appear at a node "
                "are not moves: like a starting population, they may exceed it)",
    "non_negative": "money stocks and flows, needs and counts are finite and never negative; "
                    "shares (skills, ties, aspiration, unmet need) stay in 0..1",
    "coping_ladder": "LCS level in 1..4 and equal to the highest level used; a strategy "
                     "exhausted at an earlier step is used again or made available again "
                     "only if its resource can come back (credit, goods, productive assets, "
                     "a house: coping.restore), or for children out of school, only by a "
                     "household whose income + aid cover its full needs x (1 + "
                     "school_reenrol_margin); a restorable strategy marked exhausted has "
                     "its resource gone; protected households use no emergency strategy; "
                     "consumption is finite, non-negative and at most the basket plus "
                     "what income and aid leave over",
    "money_conserved": "for each intervention transfers + works + overhead == cost, overhead "
                       "== declared share x (transfers + works), cost within budget; aid "
                       "received by households == baseline aid + transfers",
    "indicator_ranges": "rCSI 0..56, RSI mean and minimum 1..5, CARI 1..4, self-reliance "
                        "as the rule says",
    "solutions": "a durable solution only for a household once displaced, not in a camp, "
                 "in transit or abroad",
    "labour_contracts": "a member is away on a labour contract exactly when the household "
                        "has an abroad node for them and a return step still to come (and "
                        "its size, the members at home, stays at least 1: non_negative)",
    "outputs_agree": "the recorded table and summary count every household and person once",
}

#: relative tolerance of money sums (float64 accumulation in a different order)
MONEY_RTOL = 1e-9
#: household float columns that are money or counts: finite and never negative
NON_NEGATIVE = ("savings", "income", "assets", "debt", "aid", "household_goods", "house_value",
                "need", "aid_received_total", "travel_km", "living_standard", "consumption")
#: household float columns that are shares: within 0..1
SHARES = ("skills", "ties", "origin_ties", "aspiration", "unmet_need")
#: node arrays that are shares: within 0..1
NODE_SHARES = ("threat", "damage", "services", "housing", "market", "cohesion")
_LEVELS = np.array([int(s.level) for s in LADDER], dtype=np.int8)
_ALL_BITS = (1 << len(LADDER)) - 1
_SCHOOL = BIT["withdraw_children_from_school"]  # np.uint16, as the bitmask columns
#: strategies whose resource can come back (coping.restore)
_RESTORABLE = np.uint16(sum(int(BIT[name]) for name in RESTORABLE))
#: USD a restorable strategy may still cover while marked exhausted (float32 stocks)
EXHAUSTED_SLACK = 0.02
#: slack on the re-enrolment threshold (float32 columns against a float64 comparison)
REENROL_RTOL = 1e-6


@dataclass
class Violation:
    invariant: str
    step: int
    message: str

    def __str__(self) -> str:
        return f"step {self.step}: {self.invariant}: {self.message}"


class InvariantError(AssertionError):
    """One or more invariants broken; ``violations`` lists them."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        super().__init__("invariants broken:\n  " + "\n  ".join(map(str, violations)))


@dataclass
class Snapshot:
    """What the step-to-step invariants compare against (taken after a step, or at start)."""

    n: int
    size: np.ndarray
    claims: np.ndarray
    exhausted: np.ndarray
    aid_total: float
    baseline_aid: float
    flows: np.ndarray
    money: list[tuple[float, float, float]] = field(default_factory=list)


def claims(model) -> np.ndarray:
    """Households present at each node or in transit towards it (what capacity limits)."""
    hh = model.households
    where = np.where(hh.status == Status.IN_TRANSIT, hh.destination, hh.node)
    where = where[(where >= 0) & (where < model.graph.n_nodes)]
    return np.bincount(where, minlength=model.graph.n_nodes).astype(np.int64)


def members(hh) -> np.ndarray:
    """Persons of each household, a member away on a labour contract included."""
    return hh.size + (hh.worker_node >= 0)


def snapshot(model) -> Snapshot:
    hh = model.households
    return Snapshot(
        n=len(hh), size=members(hh), claims=claims(model),
        exhausted=hh.strategies_exhausted.copy(),
        aid_total=float(hh.aid_received_total.sum()),
        baseline_aid=float(model.accounts.get("baseline_aid", 0.0)), flows=model.flows.copy(),
        money=[(i.transfers, i.works, i.overhead) for i in model.interventions],
    )


def _rows(mask: np.ndarray, limit: int = 5) -> str:
    rows = np.flatnonzero(mask)
    more = f" (+{len(rows) - limit} more)" if len(rows) > limit else ""
    return f"{len(rows)} households, rows {rows[:limit].tolist()}{more}"


def _close(a: float, b: float, scale: float = 0.0) -> bool:
    return abs(a - b) <= MONEY_RTOL * max(abs(a), abs(b), scale, 1.0)


# --- checks on one state ------------------------------------------------------------------------
def check_state(model) -> list[tuple[str, str]]:
    """Invariants that a single state must meet; (invariant, message) for each breach."""
    hh, graph = model.households, model.graph
    out: list[tuple[str, str]] = []

    def need(name: str, bad: np.ndarray, what: str) -> None:
        if np.any(bad):
            out.append((name, f"{what}: {_rows(bad)}"))

    n_nodes = graph.n_nodes
    need("one_status_one_node", ~np.isin(hh.status, [int(s) for s in Status]), "unknown status code")
    need("one_status_one_node", ~np.isin(hh.group, [int(g) for g in Group]), "unknown group code")
    need("one_status_one_node", (hh.node < 0) | (hh.node >= n_nodes), "node out of range")
    transit = hh.status == Status.IN_TRANSIT
    has_destination = (hh.destination >= 0) & (hh.destination < n_nodes)
    need("one_status_one_node", transit != has_destination,
         "in transit without a destination, or a destination without being in transit")
    need("one_status_one_node", np.isin(hh.status, DISPLACED_STATUSES) & ~hh.ever_displaced,
         "displaced status but never displaced")
    need("non_negative", hh.size < 1, "household size below 1")
    for name in NON_NEGATIVE:
        values = getattr(hh, name)
        need("non_negative", ~np.isfinite(values) | (values < 0), f"{name} negative or not finite")
    for name in SHARES:
        values = getattr(hh, name)
        need("non_negative", ~((values >= 0) & (values <= 1)), f"{name} outside 0..1")
    for name in NODE_SHARES:
        values = getattr(graph, name)
        if not np.all((values >= 0) & (values <= 1)):
            out.append(("non_negative", f"node {name} outside 0..1: {np.round(values, 4).tolist()}"))
    for name in ("labour_demand", "wage", "meb"):
        values = getattr(graph, name)
        if not np.all(np.isfinite(values) & (values >= 0)):
            out.append(("non_negative", f"node {name} negative or not finite"))
    if (model.flows < 0).any():
        out.append(("non_negative", "negative flow count"))

    need("coping_ladder", (hh.lcs < Coping.NONE) | (hh.lcs > Coping.EMERGENCY), "LCS outside 1..4")
    used = hh.strategies_used.astype(np.int64)
    need("coping_ladder", (used | hh.strategies_exhausted.astype(np.int64)) & ~_ALL_BITS != 0,
         "strategy bits beyond the ladder")
    highest = np.full(len(hh), int(Coping.NONE), dtype=np.int8)
    for bit, level in enumerate(_LEVELS):
        highest = np.where((used >> bit) & 1 == 1, np.maximum(highest, level), highest)
    need("coping_ladder", highest != hh.lcs, "LCS differs from the highest level of strategies used")
    emergency_bits = sum(1 << i for i, s in enumerate(LADDER) if s.level == Coping.EMERGENCY)
    need("coping_ladder", hh.protected & ((used & emergency_bits) != 0),
         "protected household used an emergency strategy")
    months = model.days_per_step / 30.0
    left = {  # what each restorable strategy could still cover (coping._cover's rules)
        "borrow": borrow_limit(hh.group, model.params) * hh.need / max(months, 1e-9) - hh.debt,
        "sell_household_goods": hh.household_goods,
        "sell_productive_assets": hh.assets * DISTRESS_SALE_PRICE,
        "sell_house_or_land": np.where(hh.hlp_secure, hh.house_value, 0.0),
    }
    for name, capacity in left.items():
        marked = (hh.strategies_exhausted & BIT[name]) != 0
        need("coping_ladder", marked & (capacity > EXHAUSTED_SLACK),
             f"{name} marked exhausted while its resource is still there")
    surplus = np.maximum(0.0, hh.income.astype(np.float64) + hh.aid - hh.need)
    need("coping_ladder", hh.consumption > (hh.need + surplus) * (1.0 + 1e-5) + 1e-3,
         "consumption above the basket plus what income and aid leave over")

    need("indicator_ranges", (hh.rcsi < 0) | (hh.rcsi > 56), "rCSI outside 0..56")
    need("indicator_ranges", ~((hh.rsi >= 1) & (hh.rsi <= 5)), "RSI outside 1..5")
    need("indicator_ranges", (hh.rsi_min < 1) | (hh.rsi_min > 5) | (hh.rsi_min > hh.rsi + 1e-6),
         "RSI minimum outside 1..5 or above the mean")
    need("indicator_ranges", (hh.cari < 1) | (hh.cari > 4), "CARI outside 1..4")
    if model.steps > 0:  # indicators exist once a step has run
        need("indicator_ranges", hh.self_reliant != is_self_reliant(hh.rsi, hh.rsi_min, model.params),
             "self_reliant differs from the self-reliance rule")

    away = hh.worker_node >= 0
    need("labour_contracts", away != (hh.worker_return_step >= 0),
         "a worker's abroad node without a return step, or a return step without one")
    abroad = np.isin(hh.worker_node, np.flatnonzero(graph.type == NodeType.ABROAD))
    need("labour_contracts", away & ~abroad, "a worker away at a node that is not abroad")
    need("labour_contracts", away & (hh.worker_return_step <= model.steps),
         "a worker still away after the contract's last step")

    need("solutions", hh.durable_solution & ~hh.ever_displaced, "durable solution, never displaced")
    need("solutions", hh.durable_solution & np.isin(
        hh.status, (Status.DISPLACED_CAMP, Status.IN_TRANSIT, *ABROAD_STATUSES)),
        "durable solution while in a camp, in transit or abroad")

    out += _check_money_state(model)
    return out


def _check_money_state(model) -> list[tuple[str, str]]:
    out = []
    for intervention in model.interventions:
        label = f"intervention {intervention.index} ({intervention.spec.label})"
        t, w, o = intervention.transfers, intervention.works, intervention.overhead
        report = intervention.report()
        if min(t, w, o) < 0 or not all(np.isfinite((t, w, o))):
            out.append(("money_conserved", f"{label}: negative or non-finite spending {t, w, o}"))
        if not _close(report["cost"], t + w + o) or not _close(intervention.cost, t + w + o):
            out.append(("money_conserved", f"{label}: cost {report['cost']} != transfers {t} + "
                                           f"works {w} + overhead {o}"))
        declared = intervention.spec.overhead * (t + w)
        if not _close(o, declared):
            out.append(("money_conserved", f"{label}: overhead {o} != declared share "
                                           f"{intervention.spec.overhead} x {t + w}"))
        budget = intervention.spec.budget
        if budget is not None and intervention.cost > budget * (1 + MONEY_RTOL) + 1e-6:
            out.append(("money_conserved", f"{label}: spent {intervention.cost} over its budget "
                                           f"{budget}"))
    total = sum(i.cost for i in model.interventions)
    if not _close(model.cost_total, total):
        out.append(("money_conserved", f"cost_total {model.cost_total} != sum of costs {total}"))
    return out


# --- checks across one step ---------------------------------------------------------------------
def check_step(model, before: Snapshot) -> list[tuple[str, str]]:
    """Invariants relating the state after a step to the snapshot taken before it."""
    hh, graph = model.households, model.graph
    out: list[tuple[str, str]] = []
    n, old = len(hh), before.n
    if n < old:
        return [("households_conserved", f"households fell from {old} to {n}: rows removed")]
    changed = members(hh)[:old] != before.size
    if changed.any():
        out.append(("households_conserved", f"household size changed: {_rows(changed)}"))

    # arrivals and departures: claims move exactly with the recorded flows
    after = claims(model)
    moved = model.flows - before.flows
    spawned = np.zeros(graph.n_nodes, dtype=np.int64)
    staying = np.zeros(graph.n_nodes, dtype=np.int64)  # new rows still where they appeared
    if n > old:  # new rows count where they appeared (phases/arrivals.py keeps it); their
        # moves since are in the flows like anyone's
        where = model.today.spawned_at
        if len(where) != n - old:
            out.append(("households_conserved", f"{n - old} new households, but "
                                                f"{len(where)} recorded arrivals"))
            where = np.where(hh.status[old:] == Status.IN_TRANSIT, hh.destination[old:],
                             hh.node[old:])
        spawned = np.bincount(where[where >= 0], minlength=graph.n_nodes)
        now = np.where(hh.status[old:] == Status.IN_TRANSIT, hh.destination[old:], hh.node[old:])
        stayed = where[(now == where) & (where >= 0)]
        staying = np.bincount(stayed, minlength=graph.n_nodes)
    if (moved < 0).any():
        out.append(("arrivals_departures", "a flow count decreased"))
    expected = before.claims + moved.sum(axis=0) - moved.sum(axis=1) + spawned
    off = np.flatnonzero(after != expected)
    if len(off):
        detail = ", ".join(f"{graph.names[j]}: {after[j]} != {before.claims[j]} + in "
                           f"{moved[:, j].sum()} - out {moved[j].sum()} + new {spawned[j]}"
                           for j in off[:4])
        out.append(("arrivals_departures", f"households at/en route to nodes {detail}"))

    limit = np.floor(graph.capacity * model.params.capacity_scaling)
    # arrivals appear where they are, like a starting population: not a move, not limited
    over = np.isfinite(limit) & (after > np.maximum(limit, before.claims + staying))
    for j in np.flatnonzero(over):
        out.append(("capacity", f"{graph.names[j]}: {after[j]} households present or en route, "
                                f"capacity {limit[j]:.0f}, {before.claims[j]} before the step"))

    reused = (hh.strategies_used[:old] & before.exhausted & ~_RESTORABLE) != 0
    if reused.any():
        out.append(("coping_ladder", f"strategy exhausted earlier used again: {_rows(reused)}"))
    lost = before.exhausted & ~hh.strategies_exhausted[:old] & ~_RESTORABLE
    # the one way back: children re-enrolled by a household that met the condition this step
    # (income, aid and need are this step's: no phase after coping changes them)
    total = hh.income[:old].astype(np.float64) + hh.aid[:old]
    threshold = hh.need[:old].astype(np.float64) * (1.0 + model.params.school_reenrol_margin)
    recovered = total >= threshold * (1.0 - REENROL_RTOL)
    lost = np.where(recovered, lost & ~_SCHOOL, lost) != 0
    if lost.any():
        out.append(("coping_ladder", f"an exhausted strategy became available again: {_rows(lost)}"))

    transfers = 0.0
    for intervention, (t0, w0, o0) in zip(model.interventions, before.money, strict=True):
        if (intervention.transfers < t0 or intervention.works < w0 or intervention.overhead < o0):
            out.append(("money_conserved", f"intervention {intervention.index}: spending fell"))
        transfers += intervention.transfers - t0
    baseline = float(model.accounts.get("baseline_aid", 0.0)) - before.baseline_aid
    received = float(hh.aid_received_total.sum()) - before.aid_total
    if not _close(received, baseline + transfers, scale=before.aid_total):
        out.append(("money_conserved", f"households received {received:.6f} USD of aid this step; "
                                       f"baseline aid {baseline:.6f} + transfers {transfers:.6f}"))
    return out


def check_outputs(model) -> list[tuple[str, str]]:
    """The recorded cells and summary of the last step count every household once."""
    recorder, hh = model.recorder, model.households
    if not recorder.cells:
        return []
    out = []
    cells = recorder.cells[-1]
    persons = int(hh.size.sum(dtype=np.int64))
    if int(cells["households"].sum()) != len(hh) or int(round(cells["persons"].sum())) != persons:
        out.append(("outputs_agree", f"table counts {cells['households'].sum()} households, "
                                     f"{cells['persons'].sum()} persons; state has {len(hh)}, {persons}"))
    summary = recorder.summaries[-1]
    if summary["households"] != len(hh) or summary["persons"] != persons:
        out.append(("outputs_agree", "summary households or persons differ from the state"))
    bad = [k for k, v in summary.items() if k.endswith("share") and not 0.0 <= v <= 1.0]
    if bad:
        out.append(("outputs_agree", f"summary shares outside 0..1: {bad}"))
    if not _close(summary["cost_total"], model.cost_total):
        out.append(("outputs_agree", "summary cost_total differs from the interventions' costs"))
    return out


# --- running with checks ------------------------------------------------------------------------
class InvariantChecker:
    """Checks a model's invariants at the start and after every step (see module docstring).

    ``checker.step()`` runs one model step and checks it; ``checker.check()`` checks a step
    run by someone else (call it after each ``model.step()``). Both raise
    :class:`InvariantError` on a breach; ``checker.steps_checked`` counts checked steps.
    """

    def __init__(self, model):
        self.model = model
        self.steps_checked = 0
        self._raise(check_state(model))
        self.before = snapshot(model)

    def check(self) -> None:
        model = self.model
        problems = check_state(model) + check_step(model, self.before) + check_outputs(model)
        self._raise(problems)
        self.before = snapshot(model)
        self.steps_checked += 1

    def step(self) -> None:
        self.model.step()
        self.check()

    def run(self) -> None:
        """All remaining steps of the model, each checked."""
        while self.model.steps < self.model.steps_total:
            self.step()

    def _raise(self, problems: list[tuple[str, str]]) -> None:
        if problems:
            step = int(self.model.steps)
            raise InvariantError([Violation(name, step, message) for name, message in problems])


def run_checked(model) -> InvariantChecker:
    """Run a model to its last step, checking every invariant after every step."""
    checker = InvariantChecker(model)
    checker.run()
    return checker
