"""Return intentions and the condition of returnees' homes (indicators.py; issue 14)."""

from types import SimpleNamespace

import numpy as np

from simulation.codes import Status
from simulation.params import Parameters
from simulation.phases.indicators import home_condition, latent_draws, return_intentions
from simulation.random_streams import RandomStreams
from simulation.state import HouseholdStore

PARAMS = Parameters()
SAFE = np.ones(20_000)  # every household judges any threat below the limit safe


def graph(threat=0.1, damage=0.5, services=0.6, jobs=100.0):
    """Node 0 is the origin, node 1 where the displaced live."""
    return SimpleNamespace(threat=np.array([threat, 0.0]), damage=np.array([damage, 0.0]),
                           services=np.array([services, 0.7]),
                           labour_demand=np.array([jobs, 500.0]))


def displaced(n, **values):
    hh = HouseholdStore(0)
    hh.append(n, node=1, origin=0, status=int(Status.DISPLACED_HOST), ever_displaced=True,
              **values)
    return hh


def test_share_hoping_to_return_is_the_mean_origin_tie():
    hh = displaced(20_000, origin_ties=0.75, hlp_secure=True)
    attachment = RandomStreams(1).uniform("return_attachment", 0, len(hh))
    hope, _ = return_intentions(hh, graph(), attachment, np.ones(len(hh)), SAFE, PARAMS)
    assert abs(hope.mean() - 0.75) < 0.01


def test_intention_needs_hope_safety_services_a_usable_home_and_jobs():
    n = 4
    hh = displaced(n, origin_ties=1.0, hlp_secure=True)
    attachment, usable, safe = np.zeros(n), np.ones(n), np.ones(n)
    assert return_intentions(hh, graph(), attachment, usable, safe, PARAMS)[1].all()
    # (services below the calibrated minimum, whatever the calibration made it)
    for unsafe in (graph(threat=0.5), graph(services=0.5 * PARAMS.return_services_min),
                   graph(jobs=0.0)):
        assert not return_intentions(hh, unsafe, attachment, usable, safe, PARAMS)[1].any()
    damaged = np.zeros(n)  # every draw below the origin's damage: homes damaged
    assert not return_intentions(hh, graph(), attachment, damaged, safe, PARAMS)[1].any()
    hh.hlp_secure[:] = False  # a home without secure HLP is not usable either
    assert not return_intentions(hh, graph(), attachment, usable, safe, PARAMS)[1].any()
    hh.status[:] = int(Status.RETURNED)  # only the displaced hope or intend
    hope, intent = return_intentions(hh, graph(), attachment, usable, safe, PARAMS)
    assert not hope.any() and not intent.any()


def test_share_judging_the_origin_safe_falls_linearly_to_none_at_the_return_limit():
    n = 40_000
    hh = displaced(n, origin_ties=1.0, hlp_secure=True)
    safety = RandomStreams(2).uniform("return_safety", 0, n)
    limit = PARAMS.return_threat_max
    shares = [return_intentions(hh, graph(threat=f * limit), np.zeros(n), np.ones(n), safety,
                                PARAMS)[1].mean() for f in (0.0, 0.25, 0.5, 1.0, 1.2)]
    assert shares[0] == 1.0
    assert abs(shares[1] - 0.75) < 0.01 and abs(shares[2] - 0.5) < 0.01
    assert shares[3] == 0.0 and shares[4] == 0.0


def test_returnees_homes_damaged_as_the_origin_is_and_repairs_bring_them_back():
    hh = displaced(3, hlp_secure=True)
    hh.status[:] = int(Status.RETURNED)
    hh.hlp_secure[2] = False
    draw = np.array([0.2, 0.8, 0.9])
    assert home_condition(hh, graph(damage=0.5), draw).tolist() == [1, 0, 2]
    assert home_condition(hh, graph(damage=0.1), draw).tolist() == [0, 0, 2]
    hh.status[0] = int(Status.DISPLACED_CAMP)  # not a returnee: nothing to say
    assert home_condition(hh, graph(damage=0.5), draw).tolist() == [0, 0, 2]


def test_latent_draws_are_drawn_once_per_row_and_do_not_depend_on_when():
    streams = RandomStreams(3)
    early = HouseholdStore(0)
    early.append(5)
    latent_draws(early, "return_attachment", streams, "return_attachment")
    first = early.return_attachment.copy()
    early.append(3)  # arrivals get theirs when they appear, the others keep theirs
    latent_draws(early, "return_attachment", streams, "return_attachment")
    late = HouseholdStore(0)
    late.append(8)
    latent_draws(late, "return_attachment", streams, "return_attachment")
    assert np.array_equal(early.return_attachment[:5], first)
    assert np.array_equal(early.return_attachment, late.return_attachment)
    assert ((first >= 0) & (first < 1)).all()
