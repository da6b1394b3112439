"""Each intervention's effect on its named variables, exactly, in the tiny region."""

import numpy as np
import pytest
from intervention_harness import build, changed, probe_step, region

from simulation.codes import Coping, Group, Status
from simulation.interventions.registry import REGISTRY
from simulation.phases.coping import BIT, LADDER


def delta(before, after, key):
    return after[key].astype(np.float64) - before[key].astype(np.float64)


def test_cash_pays_its_transfer_only_while_it_runs():
    model = build([{"type": "cash", "transfer": 80, "start": 2, "end": 3,
                    "targeting": {"groups": ["displaced"]}}])
    before, after = probe_step(model, 2)
    rows = model.interventions[0].enrolled
    assert len(rows) == 30
    assert np.allclose(delta(before, after, "household.aid")[rows], 80.0)
    others = np.setdiff1d(np.arange(len(model.households)), rows)
    assert not delta(before, after, "household.aid")[others].any()
    before, after = probe_step(model, 4)  # after the end: nothing paid
    assert not delta(before, after, "household.aid").any()
    assert model.interventions[0].transfers == pytest.approx(2 * 80.0 * 30)


def test_graduation_gives_asset_savings_support_and_skills():
    spec = {"type": "graduation", "start": 2, "asset_transfer": 400, "savings_deposit": 40,
            "consumption_support": 70, "support_months": 2, "coaching_months": 4,
            "skills_gain": 0.2, "targeting": {"groups": ["displaced"]}}
    model = build([spec])
    before, after = probe_step(model, 2)
    rows = model.interventions[0].enrolled
    assert np.allclose(delta(before, after, "household.assets")[rows], 400.0, atol=1e-3)
    assert np.allclose(delta(before, after, "household.savings")[rows], 40.0, atol=1e-3)
    assert np.allclose(delta(before, after, "household.aid")[rows], 70.0, atol=1e-4)
    gain = delta(before, after, "household.skills")[rows]
    expected = np.minimum(1.0, before["household.skills"][rows] + 0.05) - before["household.skills"][rows]
    assert np.allclose(gain, expected, atol=1e-6)  # a quarter of the gain in each of 4 months
    before, after = probe_step(model, 4)  # support over (2 months), coaching goes on
    assert not delta(before, after, "household.aid")[rows].any()
    assert not delta(before, after, "household.assets")[rows].any()
    assert (delta(before, after, "household.skills")[rows] > 0).any()


def test_livelihoods_trains_then_pays_the_business_grant():
    model = build([{"type": "livelihoods", "start": 2, "training_months": 2, "skills_gain": 0.3,
                    "business_grant": 600, "targeting": {"groups": ["displaced"]}}])
    before, after = probe_step(model, 2)
    rows = model.interventions[0].enrolled
    assert not delta(before, after, "household.assets")[rows].any()  # grant when training ends
    assert (delta(before, after, "household.skills")[rows] > 0.1).all()
    before, after = probe_step(model, 3)
    assert np.allclose(delta(before, after, "household.assets")[rows], 600.0, atol=1e-3)
    assert model.interventions[0].works == pytest.approx(60.0 * 2 * len(rows))


def test_cash_for_work_pays_wages_and_clears_debris_where_people_work():
    model = build([{"type": "cash_for_work", "start": 2, "daily_wage": 5, "days_per_month": 12,
                    "materials_share": 0.5, "debris_clearance": 0.2,
                    "targeting": {"nodes": ["Origin"], "share": 0.5}}])
    before, after = probe_step(model, 2)
    cfw = model.interventions[0]
    rows = cfw.enrolled
    assert np.allclose(delta(before, after, "household.aid")[rows], 60.0)
    origin = model.graph.index["Origin"]
    residents = np.count_nonzero((before["household.node"] == origin)
                                 & (before["household.status"] != Status.IN_TRANSIT))
    fall = -delta(before, after, "node.damage")
    assert fall[origin] == pytest.approx(0.2 * len(rows) / residents)
    assert not np.delete(fall, origin).any()
    assert cfw.works == pytest.approx(0.5 * cfw.transfers)
    assert (before["household.node"][rows] == origin).all()


def test_services_restoration_restores_base_services_housing_and_repairs_damage():
    model = build([{"type": "services_restoration", "start": 2, "end": 5, "services_gain": 0.2,
                    "housing_gain": 0.1, "damage_reduction": 0.2, "monthly_cost": 1000,
                    "targeting": {"nodes": ["Origin"]}}])
    origin = model.graph.index["Origin"]
    start = model.graph.base_services[origin]
    before, after = probe_step(model, 2)
    assert delta(before, after, "node.base_services")[origin] == pytest.approx(0.05)
    assert delta(before, after, "node.base_housing")[origin] == pytest.approx(0.025)
    assert delta(before, after, "node.damage")[origin] == pytest.approx(-0.05)
    probe_step(model, 6)
    assert model.graph.base_services[origin] == pytest.approx(start + 0.2)
    assert model.interventions[0].works == pytest.approx(4 * 1000)


def test_social_cohesion_raises_cohesion_and_part_of_it_lasts():
    model = build([{"type": "social_cohesion", "start": 2, "end": 3, "cohesion_gain": 0.2,
                    "lasting": 0.5, "targeting": {"nodes": ["Town"]}}])
    town = model.graph.index["Town"]
    before, after = probe_step(model, 2)
    assert delta(before, after, "node.cohesion")[town] == pytest.approx(0.1)
    assert delta(before, after, "node.base_cohesion")[town] == pytest.approx(0.05)
    assert not np.delete(delta(before, after, "node.cohesion"), town).any()


def test_governance_documents_people_secures_hlp_and_builds_node_hlp():
    model = build([{"type": "governance_hlp", "start": 2, "end": 5, "documentation_rate": 1.0,
                    "hlp_rate": 1.0, "hlp_gain": 0.2, "targeting": {"groups": ["displaced"]}}])
    hh = model.households
    assert not hh.documented[hh.group == Group.DISPLACED].all()
    before, after = probe_step(model, 2)
    rows = model.interventions[0].enrolled
    assert after["household.documented"][rows].all()
    assert after["household.hlp_secure"][rows].all()
    hosts = hh.group == Group.HOST
    assert np.array_equal(after["household.hlp_secure"][hosts], before["household.hlp_secure"][hosts])
    assert np.allclose(delta(before, after, "node.hlp")[[0, 1, 2]], 0.05)  # every node in the region
    assert delta(before, after, "node.hlp")[model.graph.index["Abroad"]] == 0.0
    assert model.interventions[0].works >= 120.0 * len(rows)


def test_stabilization_builds_markets_and_jobs_and_pays_small_grants():
    model = build([{"type": "stabilization", "start": 2, "end": 5, "market_gain": 0.2, "jobs": 40,
                    "small_grant": 250, "targeting": {"nodes": ["Town"], "count": 5}}])
    town = model.graph.index["Town"]
    before, after = probe_step(model, 2)
    rows = model.interventions[0].enrolled
    assert len(rows) == 5
    assert np.allclose(delta(before, after, "household.assets")[rows], 250.0)
    assert delta(before, after, "node.base_labour_demand")[town] == pytest.approx(10.0)
    assert delta(before, after, "node.base_market")[town] == pytest.approx(0.05)


#: labour mobility recruits households that want to move; in the tiny region aspirations
#: stay below 0.15, so the threshold is lowered for these tests
WANTING = {"parameters": {"involuntary_immobility_aspiration": 0.05}}


def recruits_by_step(model) -> dict[int, np.ndarray]:
    """Run to the end; the rows recruited at each step, with the state they were recruited in."""
    out = {}
    while model.steps < model.steps_total:
        before, after = probe_step(model, model.steps + 1)
        rows = np.flatnonzero(after["today.recruited_to"] >= 0)
        out[model.steps] = (rows, after)
    return out


def test_labour_mobility_recruits_into_its_places_abroad():
    plain = build(seed=3, **WANTING)
    pathway = build([{"type": "labour_mobility", "slots_per_month": 5, "start": 2,
                      "mode": "household"}], seed=3, **WANTING)
    abroad = pathway.graph.index["Abroad"]
    recruited = recruits_by_step(pathway)
    assert len(recruited[1][0]) == 0  # before the window
    for step in range(2, 7):  # enough eligible households: every place offered is filled
        rows, state = recruited[step]
        assert len(rows) == 5
        assert (state["today.recruited_to"][rows] == abroad).all()
        assert not state["today.extra_slots"].any()  # recruiting: no open places
    plain.run()
    hh = pathway.households
    everyone = np.concatenate([rows for rows, _ in recruited.values()])
    assert (hh.status[everyone] == Status.REGULAR_MIGRATION).all()
    assert (hh.node[everyone] == abroad).all()  # 40-190 km: arrived within the step
    regular = [np.count_nonzero(m.households.status == Status.REGULAR_MIGRATION)
               for m in (plain, pathway)]
    assert regular == [0, 25]  # the edge has no places of its own: regular migrants = places
    assert pathway.flows[:, abroad].sum() - plain.flows[:, abroad].sum() == 25
    lm = pathway.interventions[0]
    assert lm.households_reached == 25
    assert lm.works == pytest.approx(25 * 800.0)  # per place filled
    assert lm.transfers == 0.0


def test_labour_mobility_places_are_capped_by_the_budget_and_lapse_when_unfilled():
    capped = build([{"type": "labour_mobility", "slots_per_month": 5, "start": 2,
                     "mode": "household", "budget": 12 * 800.0 * 1.1}], seed=3, **WANTING)
    capped.run()
    assert np.count_nonzero(capped.households.status == Status.REGULAR_MIGRATION) == 12
    assert capped.interventions[0].cost == pytest.approx(12 * 800.0 * 1.1)
    # 100 places a month and few who want to go: the unfilled places cost nothing
    wide = build([{"type": "labour_mobility", "slots_per_month": 100, "start": 2,
                   "mode": "household"}], seed=3, **WANTING)
    wide.run()
    regular = np.count_nonzero(wide.households.status == Status.REGULAR_MIGRATION)
    assert 0 < regular < 100
    assert wide.interventions[0].works == pytest.approx(regular * 800.0)


def test_labour_mobility_without_recruitment_only_opens_places():
    plain = build(seed=3)
    pathway = build([{"type": "labour_mobility", "slots_per_month": 15, "recruit": False}], seed=3)
    before, after = probe_step(pathway, 2)
    abroad = pathway.graph.index["Abroad"]
    assert after["today.extra_slots"][abroad] == 15.0
    assert not np.delete(after["today.extra_slots"], abroad).any()
    assert pathway.today.recruited_to is None
    plain.run()
    pathway.run()
    regular = [np.count_nonzero(m.households.status == Status.REGULAR_MIGRATION) for m in (plain, pathway)]
    assert regular[0] == 0 and regular[1] > 0  # the edge has no places of its own
    assert pathway.interventions[0].works == pytest.approx(15 * 800.0 * 6)  # per place offered


def test_labour_mobility_never_recruits_undocumented_households():
    model = build([{"type": "labour_mobility", "slots_per_month": 100, "start": 2,
                    "mode": "household"}], seed=3, **WANTING)
    hh = model.households
    undocumented = np.flatnonzero(~hh.documented)
    assert len(undocumented) >= 10  # half the camp
    recruited = recruits_by_step(model)
    everyone = np.concatenate([rows for rows, _ in recruited.values()])
    assert len(everyone) > 20
    for rows, state in recruited.values():
        assert state["household.documented"][rows].all()
        assert (state["household.aspiration"][rows] >= 0.05).all()  # last step's aspiration
        assert not np.isin(state["household.status"][rows],
                           (Status.IN_TRANSIT, Status.REGULAR_MIGRATION,
                            Status.IRREGULAR_MIGRATION)).any()
    assert not np.isin(undocumented, everyone).any()
    assert not (hh.status[undocumented] == Status.REGULAR_MIGRATION).any()


def test_labour_mobility_recruits_only_whom_it_targets():
    spec = {"type": "labour_mobility", "slots_per_month": 100, "start": 2, "mode": "household",
            "targeting": {"nodes": ["Camp"], "min_coping": 3}}
    model = build([spec], seed=3, steps=9, **WANTING)
    camp = model.graph.index["Camp"]
    recruited = recruits_by_step(model)
    everyone = np.concatenate([rows for rows, _ in recruited.values()])
    assert len(everyone) > 0
    for rows, state in recruited.values():
        assert (state["household.node"][rows] == camp).all()
        assert (state["household.lcs"][rows] >= 3).all()
    # a count per step and a share of the eligible
    counted = build([{**spec, "targeting": {"count": 2}}], seed=3, **WANTING)
    assert all(len(rows) <= 2 for rows, _ in recruits_by_step(counted).values())


WORKERS = {"type": "labour_mobility", "slots_per_month": 5, "start": 2, "contract_months": 3}


def remittance_probe(model) -> list[dict]:
    """Run to the end; at every step, the livelihoods phase run twice from the same state:
    with the members away (as the model does) and as if nobody were away, to isolate the
    remittances from the labour market (which the smaller households also change)."""
    from simulation.phases import livelihoods

    index = next(i for i, (name, _) in enumerate(model.plan) if name == "livelihoods")
    name, phase = model.plan[index]
    records = []

    def twice(m, t):
        hh, graph = m.households, m.graph
        # (the phase also grows business assets by the profit kept: restored too)
        saved = (graph.cohesion.copy(), hh.livelihood.copy(), hh.worker_node.copy(),
                 hh.assets.copy())
        hh.worker_node = -1
        livelihoods.step(m, t)
        without = hh.income.copy()
        graph.cohesion, hh.livelihood, hh.worker_node, hh.assets = saved
        phase(m, t)
        records.append({"step": t, "away": np.flatnonzero(hh.worker_node >= 0),
                        "node": hh.worker_node.copy(), "size": hh.size.copy(),
                        "extra": hh.income.astype(np.float64) - without})

    model.plan[index] = (name, twice)
    model.run()
    return records


def test_labour_mobility_workers_go_alone_and_send_remittances_home():
    plain = build(seed=3, steps=9, **WANTING)
    model = build([WORKERS], seed=3, steps=9, **WANTING)
    hh, graph = model.households, model.graph
    abroad = graph.index["Abroad"]
    before, after = probe_step(model, 2)
    rows = np.flatnonzero(after["household.worker_node"] >= 0)
    assert len(rows) == 5  # every place filled
    assert (after["household.worker_node"][rows] == abroad).all()
    assert (after["household.worker_return_step"][rows] == 2 + 3).all()  # 3 months of 30 days
    assert (before["household.size"][rows] >= 2).all()
    assert (after["household.size"][rows] == before["household.size"][rows] - 1).all()
    # the household stays: same node and status, nobody moved by the mobility phase
    for key in ("household.node", "household.status", "household.destination"):
        assert np.array_equal(before[key], after[key]), key
    assert (after["today.recruited_to"] == -1).all() and not after["today.extra_slots"].any()
    assert changed(before, after) <= set(REGISTRY["labour_mobility"].acts_on)

    records = remittance_probe(model)  # steps 3..9, with the record of step 2's recruits
    share, months = model.params.remittance_share, model.days_per_step / 30.0
    for record in records:
        away = record["away"]
        expected = share * graph.wage[record["node"][away]] * months
        assert np.allclose(record["extra"][away], expected, rtol=0, atol=1e-3)  # float32 income
        assert expected == pytest.approx(0.3 * 900.0)
        assert (np.delete(record["extra"], away) == 0).all()  # nobody else gets anything
    by_step = {record["step"]: record for record in records}
    assert set(rows) <= set(by_step[3]["away"]) and set(rows) <= set(by_step[4]["away"])
    home = by_step[5]  # the contract's 3 steps (2, 3, 4) are over: back at step 5
    assert not np.isin(rows, home["away"]).any()
    assert (home["size"][rows] == before["household.size"][rows]).all()
    assert (home["extra"][rows] == 0).all()
    # 5 a step while recruiting, 3 steps each: 15 away at the end, all in place
    assert len(by_step[9]["away"]) == 15
    plain.run()
    assert np.array_equal(plain.households.status == Status.REGULAR_MIGRATION,
                          hh.status == Status.REGULAR_MIGRATION)  # nobody migrated as a household
    lm = model.interventions[0]
    assert lm.recruits == 5 * 8 and lm.works == pytest.approx(40 * 800.0) and lm.transfers == 0
    summary = model.recorder.summaries[-1]
    assert summary["workers_abroad_share"] == pytest.approx(15 / len(hh))
    assert summary["persons"] == int(hh.size.sum())  # members at home
    assert plain.recorder.summaries[-1]["workers_abroad_share"] == 0.0


def test_labour_mobility_workers_keep_every_invariant_and_no_aid_is_counted():
    from simulation.checks import run_checked

    model = build([{**WORKERS, "overhead": 0.2}], seed=3, steps=10, **WANTING)
    run_checked(model)  # persons (at home + away) conserved, contracts, money, every step
    hh = model.households
    assert (hh.size >= 1).all()
    lm = model.interventions[0]
    assert lm.works == pytest.approx(lm.recruits * 800.0) and lm.transfers == 0.0
    assert lm.overhead == pytest.approx(0.2 * lm.works)
    # remittances are income, not aid: aid received is baseline aid alone
    assert hh.aid_received_total.sum() == pytest.approx(model.accounts["baseline_aid"])


def test_labour_mobility_sends_no_worker_from_a_household_of_one():
    from simulation.model import PRDSModel
    from simulation.scenario import load_scenario

    def singles(mode):
        data = region([{**WORKERS, "slots_per_month": 100, "mode": mode}], **WANTING)
        for population in data["populations"]:
            population["size_mean"] = 1
        model = PRDSModel(load_scenario(data), seed=3, with_agents=False)
        model.run()
        return model

    model = singles("worker")
    assert (model.households.size == 1).all()
    assert not (model.households.worker_node >= 0).any()
    assert model.interventions[0].recruits == 0 and model.cost_total == 0.0
    assert singles("household").interventions[0].recruits > 0  # whole households can go


def test_labour_mobility_workers_come_home_after_the_programme_ends():
    model = build([{**WORKERS, "end": 3, "contract_months": 4}], seed=3, steps=9, **WANTING)
    sizes = model.households.size.copy()
    model.run()  # recruited at steps 2 and 3, home at steps 6 and 7
    hh = model.households
    assert model.interventions[0].recruits == 10
    assert not (hh.worker_node >= 0).any() and (hh.worker_return_step == -1).all()
    assert np.array_equal(hh.size, sizes)


def test_avrr_returns_stranded_migrants_home_with_a_reintegration_grant():
    model = build([{"type": "avrr", "start": 2, "per_month": 8, "reintegration_grant": 900}])
    hh, graph = model.households, model.graph
    before, after = probe_step(model, 2)
    moved = np.flatnonzero(delta(before, after, "household.node") != 0)
    assert len(moved) == 8
    assert (hh.group[moved] == Group.MIGRANT).all()
    assert (after["household.node"][moved] == graph.index["Origin"]).all()
    assert (after["household.status"][moved] == Status.RETURNED).all()
    assert np.allclose(delta(before, after, "household.assets")[moved], 900.0)
    assert delta(before, after, "flows")[graph.index["Town"], graph.index["Origin"]] == 8
    avrr = model.interventions[0]
    fares = (graph.routes(2)[1][graph.index["Town"], graph.index["Origin"]]
             * hh.size[moved].astype(np.float64)).sum()
    assert avrr.works == pytest.approx(fares)


def test_facilitated_return_is_safe_paced_and_builds_shelter():
    spec = {"type": "facilitated_return", "start": 2, "per_month": 10, "grant": 150,
            "shelter_cost": 500, "min_origin_ties": 0.0}
    model = build([spec])
    graph = model.graph
    origin = graph.index["Origin"]
    before, after = probe_step(model, 2)
    moved = np.flatnonzero(delta(before, after, "household.node") != 0)
    assert len(moved) == 10
    assert (after["household.status"][moved] == Status.RETURNED).all()
    assert np.allclose(delta(before, after, "household.aid")[moved], 150.0)
    assert delta(before, after, "node.base_housing")[origin] > 0
    # no assisted return to an unsafe origin
    unsafe = build([spec])
    unsafe.graph.threat_by_step[:, origin] = 0.9
    before, after = probe_step(unsafe, 2)
    assert not (delta(before, after, "household.node") != 0).any()
    assert unsafe.interventions[0].transfers == 0.0


def test_return_on_request_carries_home_only_those_who_choose_it():
    """On request the programme moves nobody itself: it pays the journey of the households it
    serves that choose their origin in the mobility phase, and their grant the next step."""
    spec = {"type": "facilitated_return", "start": 2, "on_request": True, "grant": 100,
            "shelter_cost": 0, "min_origin_ties": 0.0, "targeting": {"nodes": ["Camp"]},
            "enrolment": "rolling"}
    plain, served = build(seed=3, steps=8), build([spec], seed=3, steps=8)
    before, after = probe_step(served, 2)
    assert changed(before, after) == set()  # the offer changes no household
    assert (served.today.return_fare_paid_by[served.households.group == Group.DISPLACED]
            == 0).all()
    programme, hh, graph = served.interventions[0], served.households, served.graph
    camp, origin = graph.index["Camp"], graph.index["Origin"]
    paid, settled = 0.0, 0
    while served.steps < 8:
        carried = programme.moved.copy()
        served.step()
        plain.step()
        fresh = np.setdiff1d(programme.moved, carried)
        assert (hh.status[fresh] == Status.RETURNED).all() and (hh.node[fresh] == origin).all()
        fare = graph.routes(served.steps)[1][camp, origin]
        paid += float((fare * hh.size[fresh].astype(np.float64)).sum())
        assert programme.works == pytest.approx(paid)  # the journeys, and nothing else
        assert programme.transfers == pytest.approx(100.0 * settled)  # grant: the step after
        settled = len(programme.moved)
    assert settled > 0 and programme.households_reached == settled
    # in this region nobody can pay the fare home alone: all who returned were carried
    assert np.count_nonzero(plain.households.status == Status.RETURNED) == 0
    assert np.count_nonzero(hh.status == Status.RETURNED) == settled
    # nobody chooses home (no pull to the origin): the programme carries nobody
    nobody = build([spec], seed=3, steps=8, parameters={"return_weight": 0.0})
    nobody.run()
    assert len(nobody.interventions[0].moved) == 0 and nobody.interventions[0].cost == 0.0


@pytest.mark.parametrize("change, message", [({"node": "Town"}, "leave node unset"),
                                             ({"per_month": 5}, "leave per_month unset")])
def test_return_on_request_is_a_return_without_convoys(change, message):
    with pytest.raises(Exception, match=message):
        build([{"type": "facilitated_return", "on_request": True, **change}])


def test_relocation_settles_households_elsewhere():
    model = build([{"type": "facilitated_return", "node": "Town", "start": 2,
                    "targeting": {"nodes": ["Camp"]}}])
    before, after = probe_step(model, 2)
    moved = np.flatnonzero(delta(before, after, "household.node") != 0)
    enrolled = model.interventions[0].enrolled
    assert len(moved) == len(enrolled) > 20
    assert (before["household.node"][moved] == model.graph.index["Camp"]).all()
    assert (after["household.node"][moved] == model.graph.index["Town"]).all()
    assert (after["household.status"][moved] == Status.SETTLED_ELSEWHERE).all()


def test_safety_net_rules_out_emergency_coping_while_it_runs():
    net = {"type": "safety_net", "start": 2, "end": 7, "targeting": {"groups": ["displaced"]}}
    plain, covered = build(seed=5, steps=9), build([net], seed=5, steps=9)
    emergency = sum(int(BIT[s.name]) for s in LADDER if s.level == Coping.EMERGENCY)
    displaced = plain.households.group == Group.DISPLACED
    in_emergency = 0
    for step in range(1, 8):
        plain.step()
        covered.step()
        if step >= 2:
            assert covered.households.protected[displaced].all()
            assert not (covered.households.strategies_used[displaced] & emergency).any()
            in_emergency += np.count_nonzero(plain.households.lcs[displaced] == Coping.EMERGENCY)
    assert in_emergency > 0  # without the net, emergency coping happens in these months
    covered.step()  # step 8: the net has ended
    assert not covered.households.protected.any()


def test_labour_mobility_recruits_travel_and_respect_room_abroad():
    from intervention_harness import region

    from simulation.checks import run_checked
    from simulation.model import PRDSModel
    from simulation.scenario import load_scenario

    data = region([{"type": "labour_mobility", "slots_per_month": 5, "start": 2,
                    "mode": "household", "overhead": 0.2}], steps=8, **WANTING)
    data["graph"]["edges"][-1]["distance"] = 9000  # more than a step's travel (6,000 km)
    data["graph"]["nodes"][-1]["capacity"] = 12
    model = PRDSModel(load_scenario(data), seed=3, with_agents=False)
    before, after = probe_step(model, 2)
    rows = np.flatnonzero(after["today.recruited_to"] >= 0)
    assert len(rows) == 5
    hh = model.households  # they left at step 2 and are on the road...
    assert (hh.status[rows] == Status.IN_TRANSIT).all()
    assert (hh.arrival_status[rows] == Status.REGULAR_MIGRATION).all()
    model.step()  # ...and arrive at step 3
    assert (hh.status[rows] == Status.REGULAR_MIGRATION).all()
    assert (hh.node[rows] == model.graph.index["Abroad"]).all()
    model = PRDSModel(load_scenario(data), seed=3, with_agents=False)
    run_checked(model)  # capacity, flows, money: every invariant after every step
    hh = model.households
    assert np.count_nonzero(hh.status == Status.REGULAR_MIGRATION) == 12  # room for 12
    lm = model.interventions[0]
    assert lm.works == pytest.approx(12 * 800.0) and lm.overhead == pytest.approx(0.2 * lm.works)
