"""One household of the per-agent reference (``benchmarks/reference.py``): its state and rules.

The rules of ``simulation/phases/*.py`` written for one household in scalar Python, in the
engine's order and with its constants; see each phase for sources. The model
(``ReferenceModel``) computes the node-level quantities between the agent stages.
"""

import math
from bisect import bisect_right

import mesa
import numpy as np

from simulation.codes import (
    ABROAD_STATUSES,
    SOLUTION_PATHWAYS,
    Coping,
    Group,
    Livelihood,
    NodeType,
    Status,
)
from simulation.phases import coping as coping_rules
from simulation.phases import livelihoods as livelihood_rules
from simulation.phases import mobility as mobility_rules
from simulation.phases import solutions as solution_rules
from simulation.phases.indicators import RCSI_ONSET, RCSI_WEIGHTS

LADDER = [(s.name, int(s.level), s.resource, s.exhaustible, s.survival_only,
           int(coping_rules.BIT[s.name])) for s in coping_rules.LADDER]
BIT = {name: int(bit) for name, bit in coping_rules.BIT.items()}
SALE = coping_rules.DISTRESS_SALE_PRICE
SCHOOL = coping_rules.SCHOOL_COST_SHARE
ONSET = [float(x) for x in RCSI_ONSET]
WEIGHTS = [int(x) for x in RCSI_WEIGHTS]
CAMP, HOSTED, TRANSIT = int(Status.DISPLACED_CAMP), int(Status.DISPLACED_HOST), int(Status.IN_TRANSIT)
IN_PLACE, RETURNED, REDISPLACED = int(Status.IN_PLACE), int(Status.RETURNED), int(Status.REDISPLACED)
AWAY = {TRANSIT, *map(int, ABROAD_STATUSES)}
PATHWAYS = set(map(int, SOLUTION_PATHWAYS))
DISPLACED = {CAMP, HOSTED, REDISPLACED}
HOST = int(Group.HOST)
ASSET_LIVELIHOODS = (int(Livelihood.BUSINESS), int(Livelihood.FARM))
#: the state each agent carries (the engine's household columns it needs)
STATE = ("node", "group", "status", "size", "origin", "t_displaced", "ever_displaced", "skills",
         "documented", "hlp_secure", "ties", "origin_ties", "assets", "household_goods",
         "house_value", "savings", "debt", "livelihood", "protected", "strategies_exhausted",
         "t_aid_since", "t_criteria_since", "durable_solution", "t_solution", "destination",
         "travel_km", "arrival_status")


def score(value: float, thresholds) -> int:
    """1..5 by rising thresholds (as ``indicators.score``)."""
    return 1 + bisect_right(thresholds, value)


def redraw_without(cdf: list[float], col: int, u: float) -> int:
    """A draw ``u`` that landed on column ``col`` of the row ``cdf``, drawn again as if
    ``col`` had weight 0 (-1 if nothing else has weight): ``u``'s place within the column's
    interval spread over the rest of the row's mass (as ``mobility.redraw_without``)."""
    lo, hi = (cdf[col - 1] if col > 0 else 0.0), cdf[col]
    width = hi - lo
    within = (u - lo) / width if width > 0 else 0.0
    within = min(max(within, 0.0), math.nextafter(1.0, 0.0))
    rest = cdf[-1] - width
    spread = within * rest
    v = max(spread + width, hi) if spread >= lo else spread
    dest = min(bisect_right(cdf, v), len(cdf) - 1)
    return dest if rest > 0 and dest != col else -1


def clip(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


class ReferenceHousehold(mesa.Agent):
    """One household with its own state and rules (see module docstring)."""

    def __init__(self, model, state: dict):
        super().__init__(model)
        self.__dict__.update(state)
        self.fleeing = False
        self.lcs = 1
        self.strategies_used = 0
        self.self_reliant = False
        self.aid_dependent = False
        self.immobile = False
        self.income = self.aid = self.need = self.labour = self.living_standard = 0.0
        self.consumption = 0.0
        self.below_survival = False
        self.on_assets = False
        self.rsi = 1.0
        self.rcsi = 0

    def draw(self, stream: str) -> float:
        """A uniform draw: Mesa's ``random``, or the engine's stream (``common_draws``)."""
        if self.model.common_draws:
            return self.model.draws[stream][self.row]
        return self.random.random()

    # --- stage 1: shocks, rations, livelihood choice, labour offered ----------------------------
    def start_step(self) -> None:
        m, g, p = self.model, self.model.at, self.model.params
        node = self.node
        at_risk = self.status not in AWAY and g.type[node] != NodeType.ABROAD
        self.fleeing = at_risk and self.draw("flight") < m.p_flee[node]
        self.aid = 0.0
        if self.status == CAMP:
            self.aid = p.camp_ration_share * g.meb[node] * self.size * m.months
            m.baseline_aid += self.aid

        liv = self.livelihood
        new = liv
        if liv in ASSET_LIVELIHOODS and self.assets < livelihood_rules.MIN_VIABLE_ASSETS:
            new = int(Livelihood.CASUAL)
        if liv == Livelihood.FARM and not (node == self.origin and self.hlp_secure):
            new = int(Livelihood.CASUAL)
        if liv == Livelihood.CASUAL and self.assets >= livelihood_rules.BUSINESS_START_ASSETS:
            new = int(Livelihood.BUSINESS)
        self.livelihood = new

        present = self.status != TRANSIT
        self.on_assets = present and new in ASSET_LIVELIHOODS
        self.labour = 0.0
        if present and new != Livelihood.NONE:
            access = (1.0 if self.documented else p.undocumented_job_access) \
                * g.freedom_of_movement[node]
            if self.group != HOST:
                access *= 0.5 + 0.5 * g.cohesion[node]
            earners = 1.0 + livelihood_rules.EXTRA_EARNER_SHARE * (self.size - 1)
            taken = min(self.assets / p.enterprise_capacity, 1.0) if self.on_assets else 0.0
            self.labour = (earners - taken) * access
            m.seekers[node] += self.labour
        if present:
            m.residents[node] += 1
            if self.group != HOST:
                m.outsiders[node] += 1

    # --- stage 2: income, coping, indicators, mobility ----------------------------------------------
    def step(self) -> None:
        self.earn()
        self.cope()
        self.score_indicators()
        self.move()

    def earn(self) -> None:
        m, g, p = self.model, self.model.at, self.model.params
        node = self.node
        skill_factor = p.skill_income_floor + p.skill_income_gain * self.skills
        pay = 1.0 if self.livelihood == Livelihood.WAGE else p.casual_wage_share
        income = self.labour * m.employment_rate[node] * g.wage[node] * pay * skill_factor * m.months
        if self.on_assets:
            profit = (self.assets * p.asset_return * g.market[node] * (1.0 - g.threat[node])
                      * m.months)
            # part of the profit stays in the business, less as it nears its capacity (as
            # ``livelihoods.earn``)
            room = max(1.0 - self.assets / p.enterprise_capacity, 0.0)
            kept = p.reinvest_share * profit * room
            self.assets += kept
            income += profit - kept
        self.income = income

    def cope(self) -> None:
        m, g, p = self.model, self.model.at, self.model.params
        months = m.months
        school = BIT["withdraw_children_from_school"]
        withdrew = self.strategies_exhausted & school
        limit = p.host_borrow_limit_months if self.group == HOST else p.borrow_limit_months

        def service_on(basket):  # interest on the debt up to the borrowing limit (rule 5)
            return min(self.debt, limit * basket / max(months, 1e-9)) * p.debt_interest * months

        full_basket = g.meb[self.node] * self.size * months
        full_need = full_basket + service_on(full_basket)
        if withdrew and self.income + self.aid >= full_need * (1.0 + p.school_reenrol_margin):
            # recovered: the children go back to school (as ``coping.reenrols``)
            self.strategies_exhausted &= ~school
            withdrew = 0
        food_basket = full_basket * ((1.0 - SCHOOL) if withdrew else 1.0)  # the MEB part,
        service = service_on(food_basket)  # whose survival share bounds emergencies
        need = food_basket + service
        self.need = need
        per_month = need / max(months, 1e-9)
        # strategies whose resource is back are available again (as ``coping.restore``)
        gap = need - self.income - self.aid
        consumption = food_basket
        if gap < 0:
            repay = min(self.debt, -gap * p.repayment_share)
            self.debt -= repay
            saved = (-gap - repay) * p.savings_rate
            self.savings += saved
            consumption += -gap - repay - saved
        slack = coping_rules.RESTORE_SLACK
        back = {"borrow": limit * per_month - self.debt > slack,
                "sell_household_goods": self.household_goods > slack,
                "sell_productive_assets": self.assets * SALE > slack,
                "sell_house_or_land": self.hlp_secure and self.house_value > slack}
        for name, available in back.items():
            if available:
                self.strategies_exhausted &= ~BIT[name]
        remaining, cut = max(gap, 0.0), 0.0
        lcs, used, exhausted = 1, 0, self.strategies_exhausted
        for _name, level, resource, exhaustible, survival_only, bit in LADDER:
            if remaining <= 0 or exhausted & bit:
                continue
            emergency = level == Coping.EMERGENCY
            below = remaining + cut - (1.0 - p.survival_share) * food_basket
            below = below if below > coping_rules.SURVIVAL_SLACK else 0.0
            if emergency and (self.protected or below <= 0):
                continue
            if resource == "migrate":
                cover, taken = 0.0, True
            else:
                # emergencies and asset sales only toward the survival line (as ``coping``)
                wanted = min(below, remaining) if emergency or survival_only else remaining
                cover = min(wanted, self.capacity(resource, need, per_month))
                taken = cover > 0
                self.draw_down(resource, cover)
                if resource in coping_rules.SPENDING_CUTS:
                    cut += cover
                if exhaustible and taken and (
                        resource == "school"
                        or self.capacity(resource, need, per_month) <= coping_rules.RESTORE_SLACK):
                    exhausted |= bit
            remaining -= cover
            if taken:
                used |= bit
                lcs = max(lcs, level)
        self.strategies_exhausted = exhausted
        self.lcs, self.strategies_used = lcs, used
        # what is still unmet falls on the debt service first: arrears (``coping`` rule 5)
        arrears = min(remaining, service)
        self.debt += arrears
        remaining -= arrears
        self.unmet_need = remaining / need if need > 0 else 0.0
        self.consumption = max(0.0, consumption - cut - remaining)
        self.below_survival = (self.consumption
                               < p.survival_share * food_basket - coping_rules.SURVIVAL_SLACK)

    def capacity(self, resource: str, need: float, basket: float) -> float:
        p = self.model.params
        if resource == "savings":
            return self.savings
        if resource == "credit":  # none without a lender (``coping.has_lender``, rule 6)
            return max(0.0, self.credit_months() * basket - self.debt)
        if resource == "household_goods":
            return self.household_goods
        if resource == "assets":
            return self.assets * SALE
        if resource == "cut_spending":
            return p.cut_spending_cover * need
        if resource == "school":
            return SCHOOL * need
        if resource == "house_value":
            return self.house_value if self.hlp_secure else 0.0
        return p.emergency_cover / coping_rules.EMERGENCY_EARNERS * need  # "emergency"

    def credit_months(self) -> float:
        """Most it can borrow up to, in months of its needs (as ``coping.credit_limit``)."""
        p = self.model.params
        if not self.has_lender:
            return 0.0
        return p.host_borrow_limit_months if self.group == HOST else p.borrow_limit_months

    def draw_down(self, resource: str, cover: float) -> None:
        if resource == "savings":
            self.savings = max(0.0, self.savings - cover)
        elif resource == "credit":
            self.debt += cover
        elif resource == "household_goods":
            self.household_goods = max(0.0, self.household_goods - cover)
        elif resource == "assets":
            self.assets = max(0.0, self.assets - cover / SALE)
        elif resource == "house_value":
            self.house_value = max(0.0, self.house_value - cover)

    def score_indicators(self) -> None:
        m, g, p = self.model, self.model.at, self.model.params
        node, status, lcs = self.node, self.status, self.lcs
        total = self.income + self.aid
        living = total / self.need if self.need > 0 else 0.0
        self.living_standard = living
        pressure = clip(self.unmet_need + 0.1 * (lcs - 1), 0.0, 1.0)
        rcsi = sum(w * round(7.0 * clip(pressure * k, 0.0, 1.0)) for w, k in zip(WEIGHTS, ONSET, strict=True))
        self.rcsi = rcsi
        current = clip(score(rcsi, (4, 19, 43)), 1, 4)
        economic = 5 - clip(score(living, (0.5, 0.8, 1.0)), 1, 4)
        self.cari = clip(round((current + (lcs + economic) / 2.0) / 2.0 + 1e-9), 1, 4)

        need = max(self.need, 1e-6)
        if status == TRANSIT:
            housing = 1.0
        elif status == CAMP:
            housing = 2.0
        elif status in (IN_PLACE, RETURNED):
            housing = 1.0 + 4.0 * (1.0 - g.damage[node])
        else:
            housing = 1.0 + 4.0 * g.housing[node]
        used = self.strategies_used
        cut = 1 if used & BIT["cut_health_education"] else 0
        withdrew = self.strategies_exhausted & BIT["withdraw_children_from_school"]
        risky = 1 if used & BIT["high_risk_or_illegal_work"] else 0
        services = g.services[node]
        food = 6 - score(rcsi, (4, 10, 19, 43))
        education = 1 if withdrew else 2 if cut else round(1 + 4 * services)
        health_care = clip(round(1 + 4 * services) - cut, 1, 5)
        aid_share = self.aid / total if total > 0 else 0.0
        domains = (
            housing, food, education, health_care, round((food + health_care) / 2.0),
            clip(round(5 - 4 * g.threat[node]) - risky, 1, 5),
            score(self.income / need, (0.2, 0.5, 0.75, 1.0)),
            score(living, (0.5, 0.8, 1.0, 1.3)),
            6 - score(aid_share, (1e-6, 0.25, 0.5, 0.75)),
            6 - score(self.debt / need, (1e-6, 1.0, 3.0, 6.0)),
            score(self.savings / need, (1e-6, 0.25, 1.0, 3.0)),
            round(1 + 4 * (0.5 * self.ties + 0.5 * g.cohesion[node])),
        )
        domains = [clip(round(d), 1, 5) for d in domains]
        self.rsi = sum(domains) / 12.0
        self.self_reliant = self.rsi >= p.self_reliance_mean and min(domains) > 1

        t = m.steps
        if self.aid > p.aid_dependency_share * total:
            if self.t_aid_since < 0:
                self.t_aid_since = t
            months_in_a_row = (t - self.t_aid_since + 1) * m.days_per_step / 30.0
            self.aid_dependent = months_in_a_row >= p.aid_dependency_months
        else:
            self.t_aid_since, self.aid_dependent = -1, False

    def move(self) -> None:
        m, g, p = self.model, self.model.at, self.model.params
        t, months, reach = m.steps, m.months, m.reach_km
        if self.status == TRANSIT:  # travel on
            left = self.travel_km - reach
            self.travel_km = max(left, 0.0)
            if left <= 0:
                self.node, self.status = self.destination, self.arrival_status
                self.destination, self.ties = -1, mobility_rules.NEW_PLACE_TIES
        node, status = self.node, self.status
        mobile = status not in AWAY and g.type[node] != NodeType.ABROAD
        need = max(self.need, 1e-6)
        aspiration = 0.0
        if mobile:
            log_odds = (p.aspiration_base + p.aspiration_threat * g.threat[node]
                        + p.aspiration_needs * (self.lcs - 1) / 3.0
                        + p.aspiration_prospects * (1.0 - clip(self.income / need, 0.0, 1.0))
                        - p.aspiration_ties * self.ties - p.aspiration_services * g.services[node])
            aspiration = 1.0 / (1.0 + math.exp(-log_odds))  # as mobility.aspiration
            self.ties = min(1.0, self.ties + mobility_rules.TIES_GROWTH * months)
        if node != self.origin:
            self.origin_ties *= 1.0 - p.origin_ties_decay * months
        self.immobile = False

        forced = self.fleeing and mobile
        migrating = bool(self.strategies_used & BIT["whole_household_migrates"]) and mobile \
            and not forced
        choosing = mobile and not forced and not migrating
        aspiring = choosing and aspiration >= p.involuntary_immobility_aspiration
        acting = choosing and self.draw("move") < (  # params.per_step, for one number
            1.0 - (1.0 - clip(p.mobility_rate * aspiration, 0.0, 1.0)) ** (m.days_per_step / 30.0))
        if not (forced or migrating or aspiring or acting):
            return

        kind = "forced" if forced else "abroad" if migrating else "voluntary"
        cdf, total = m.cdf[kind][node], m.totals[kind][node]
        u_dest = self.draw("destination") if total > 0 else 0.0
        dest = min(bisect_right(cdf, u_dest), len(cdf) - 1) if total > 0 else -1
        origin = self.origin
        # not back to its own origin while it is unsafe: the origin has weight 0 in the draw,
        # the same uniform spread over the other destinations (as mobility.redraw_without)
        if (kind == "voluntary" and self.ever_displaced and origin != node and dest == origin
                and g.threat[origin] >= p.return_threat_max):
            dest = redraw_without(cdf, origin, u_dest)
        # its own home, as it knows it: usable if standing and its property secure (as mobility)
        home = (1.0 if self.home_damage_draw >= g.damage[origin] and self.hlp_secure
                else p.unusable_home_return_weight)
        going_home = False
        if (kind == "voluntary" and self.ever_displaced and origin != node
                and g.threat[origin] < p.return_threat_max
                and math.isfinite(m.distance[node][origin])):
            pull = (p.return_weight * home * (0.5 + g.services[origin])
                    * self.origin_ties
                    / (p.softening_km + m.distance[node][origin]) ** p.distance_power)
            if self.draw("return") * (pull + total) < pull:
                dest, going_home = origin, True
        # a Flee-style draw that lands on its own origin is a return weighed the same way
        declined = (kind == "voluntary" and not going_home and dest == origin and origin != node
                    and self.ever_displaced and home < 1.0
                    and self.draw("return_home") >= home)
        if declined:
            dest = -1

        has_route = dest >= 0 and math.isfinite(m.distance[node][dest])
        if not has_route:
            self.immobile = (forced or migrating or aspiring) and not declined
            return
        km = m.distance[node][dest]
        fare = m.cost[node][dest] * self.size
        to_abroad = g.type[dest] == NodeType.ABROAD
        crossing = not math.isfinite(m.distance_regular[node][dest])
        # journeys: borrow_limit_months for every group, none without a lender (as ``mobility``)
        credit = max(0.0, (p.borrow_limit_months if self.has_lender else 0.0) * need / months
                     - self.debt)
        purse = self.savings + credit
        saleable = SALE * self.assets + (self.house_value if self.hlp_secure else 0.0)
        regular = not forced and (to_abroad or crossing) and self.documented
        if regular and to_abroad:  # a regular-pathway slot, first come first served
            regular = m.slots_taken[dest] < m.slots[dest]
            m.slots_taken[dest] += 1
        irregular = (not forced and (to_abroad or crossing) and not regular
                     and (self.lcs >= 3 or migrating))
        if irregular:
            fare += p.irregular_cost
        affordable = forced or (purse + saleable if irregular else purse) >= fare
        legal = forced or regular or irregular or not (to_abroad or crossing)
        capable = affordable and legal
        moving = capable and (forced or migrating or acting)
        if moving and math.isfinite(m.room[dest]):  # room at the destination, in turn
            if m.placed[dest] < math.floor(m.room[dest]):
                m.placed[dest] += 1
            else:
                moving = False
        if not moving:
            self.immobile = (forced or migrating or aspiring) and not (
                capable and not forced and not migrating and not acting)
            return
        self.pay_journey(fare, credit, forced)
        new_status = int(mobility_rules.next_status(
            np.array([status]), g.type[dest], forced, dest == origin, self.ever_displaced,
            self.durable_solution, to_abroad or crossing, regular, irregular)[0])
        if forced:
            self.origin = origin if self.ever_displaced else node
            self.t_displaced, self.ever_displaced = t, True
        if new_status in PATHWAYS and new_status != status:
            self.t_solution = t
        self.t_criteria_since, self.durable_solution = -1, False
        if km > reach:
            self.status, self.arrival_status = TRANSIT, new_status
            self.destination, self.travel_km = dest, km - reach
        else:
            self.node, self.status, self.ties = dest, new_status, mobility_rules.NEW_PLACE_TIES
        m.flows[node, dest] += 1

    def pay_journey(self, fare: float, credit: float, fleeing: bool) -> None:
        """Savings first, then credit, then distress sales (as ``mobility.pay_journey``)."""
        from_savings = min(self.savings, fare)
        self.savings -= from_savings
        left = 0.0 if fleeing else fare - from_savings
        borrowed = min(credit, left)
        self.debt += borrowed
        left -= borrowed
        from_assets = min(SALE * self.assets, left)
        self.assets -= from_assets / SALE
        left -= from_assets
        from_house = min(self.house_value if self.hlp_secure else 0.0, left)
        self.house_value -= from_house
        left -= from_house
        self.debt += left

    # --- stage 3: durable solutions ---------------------------------------------------------------
    def finish_step(self) -> None:
        m, g, p = self.model, self.model.at, self.model.params
        t, node, status = m.steps, self.node, self.status
        need = max(self.need, 1e-6)
        earned = self.income / need
        met = (self.ever_displaced and status not in AWAY
               and g.threat[node] <= p.solution_threat_max
               and self.living_standard >= p.parity_ratio * m.host_living[node]
               and self.lcs <= Coping.STRESS
               and earned >= p.parity_ratio * m.host_earned[node]
               and status != CAMP
               and (self.hlp_secure if node == self.origin
                    else g.hlp[node] >= solution_rules.HLP_NODE_MIN)
               and self.documented)
        if met:
            if self.t_criteria_since < 0:
                self.t_criteria_since = t
            held = (t - self.t_criteria_since + 1) * m.days_per_step / 30.0
            self.durable_solution = held >= p.solution_months
        else:
            self.t_criteria_since, self.durable_solution = -1, False
        if self.durable_solution and status in (HOSTED, REDISPLACED):
            self.status, self.t_solution = int(Status.LOCALLY_INTEGRATED), t
