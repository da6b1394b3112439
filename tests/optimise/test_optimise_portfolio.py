"""The decision space: shares on the budget within their ranges, levers, corners."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from optimise_cases import problem_data

from simulation.optimise import from_data
from simulation.optimise.portfolio import Portfolio, project_to_budget
from simulation.scenario import load_scenario


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)), min_size=2,
                max_size=6))
def test_projected_shares_sum_to_one_within_their_ranges(items):
    low = np.array([min(a, b) for a, b, _ in items])
    high = np.array([max(a, b) for a, b, _ in items])
    if low.sum() > 1 or high.sum() < 1:
        return  # the file check rejects these ranges
    raw = low + np.array([u for _, _, u in items]) * (high - low)
    shares = project_to_budget(raw, low, high)
    assert abs(shares.sum() - 1.0) < 1e-9
    assert np.all(shares >= low - 1e-12) and np.all(shares <= high + 1e-12)


def test_a_point_already_on_the_budget_is_kept():
    low, high = np.zeros(3), np.ones(3)
    raw = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(project_to_budget(raw, low, high), raw, atol=1e-12)


def test_decoded_mixes_never_cap_past_the_budget_and_set_the_levers():
    portfolio = Portfolio(from_data(problem_data()))
    rng = np.random.default_rng(3)
    for u in rng.uniform(size=(200, portfolio.n_var)):
        mix = portfolio.decode(u)
        assert sum(mix.budgets.values()) <= portfolio.budget
        assert mix.shares["graduation"] <= 0.8 + 1e-12
        assert sum(s["budget"] for s in mix.interventions) == sum(mix.budgets.values())
        cash = next((s for s in mix.interventions if s["type"] == "cash"), None)
        if cash is not None:
            assert 20 <= cash["transfer"] <= 120
            assert cash["end"] - cash["start"] + 1 == mix.levers["cash.duration"]
            assert cash["targeting"]["rule"] == mix.levers["cash.targeting.rule"]
        load_scenario(portfolio.scenario(mix))  # every candidate is a valid scenario
    assert portfolio.decode(np.full(portfolio.n_var, 0.5)).key == portfolio.decode(
        np.full(portfolio.n_var, 0.5)).key


def test_corners_and_even_split_use_the_templates():
    portfolio = Portfolio(from_data(problem_data()))
    corners = dict(portfolio.corners())
    assert list(corners) == ["cash alone", "graduation alone"]
    alone = corners["cash alone"]
    assert [s["type"] for s in alone.interventions] == ["cash"]
    assert alone.interventions[0]["budget"] == 20000
    assert alone.levers == {"cash.transfer": 50.0, "cash.duration": 4,
                            "cash.targeting.rule": "poorest_first",
                            "graduation.asset_transfer": 300.0}
    even = portfolio.even()
    assert even.budgets == {"cash": 10000, "graduation": 10000}
