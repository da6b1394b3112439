"""Tests of Flee's averaged relative difference on hand-made series."""

import numpy as np
import pytest

from simulation.validation.ard import averaged_relative_difference


def test_perfect_match_is_zero():
    observed = {"A": np.array([0, 10, 30]), "B": np.array([5, 5, 0])}
    result = averaged_relative_difference(dict(observed), observed)
    assert result.ard == 0.0
    assert result.daily_error.tolist() == [0.0, 0.0, 0.0]
    assert all(camp["mean_abs_error"] == 0.0 for camp in result.per_camp.values())


def test_hand_computed_value_with_a_zero_data_day():
    observed = {"A": [10, 20, 0], "B": [0, 20, 0]}
    simulated = {"A": [5, 25, 0], "B": [5, 15, 2]}
    result = averaged_relative_difference(simulated, observed)
    # day 0: (5 + 5) / 10 = 1; day 1: (5 + 5) / 40 = 0.25; day 2: no data, so (0 + 2) / 1 = 2.
    assert result.daily_error == pytest.approx([1.0, 0.25, 2.0])
    assert result.ard == pytest.approx(3.25 / 3)
    a, b = result.per_camp["A"], result.per_camp["B"]
    assert a["mean_abs_error"] == pytest.approx(10 / 3)
    assert b["mean_abs_error"] == pytest.approx(12 / 3)
    assert a["relative_error"] == pytest.approx(10 / 30)
    assert b["relative_error"] == pytest.approx(12 / 20)
    # Flee's rel_error |sim/data - 1|, 0 when data is 0: A (0.5 + 0.25 + 0) / 3.
    assert a["mean_daily_relative_error"] == pytest.approx(0.75 / 3)
    assert b["mean_daily_relative_error"] == pytest.approx(0.25 / 3)
    assert a["ard_contribution"] + b["ard_contribution"] == pytest.approx(result.ard)
    assert a["ard_contribution"] == pytest.approx((0.5 + 0.125 + 0.0) / 3)


def test_zero_data_days_are_kept_with_denominator_one():
    observed = {"A": [0, 0, 100]}
    assert averaged_relative_difference({"A": [0, 0, 100]}, observed).ard == 0.0
    result = averaged_relative_difference({"A": [3, 0, 100]}, observed)
    assert result.daily_error.tolist() == [3.0, 0.0, 0.0]  # not skipped, not infinite
    assert result.ard == pytest.approx(1.0)


def test_normalised_by_observed_not_simulated_total():
    result = averaged_relative_difference({"A": [300]}, {"A": [100]})
    assert result.ard == pytest.approx(2.0)  # 200 / 100, not 200 / 300


def test_rescaled_scales_simulation_to_the_observed_camp_total():
    observed = {"A": [50, 10], "B": [50, 0]}
    simulated = {"A": [20, 0], "B": [0, 0]}
    plain = averaged_relative_difference(simulated, observed)
    rescaled = averaged_relative_difference(simulated, observed, rescaled=True)
    # day 0: plain (30 + 50)/100; rescaled A = 20 * 100/20 = 100 -> (50 + 50)/100.
    # day 1: no simulated refugees, so the rescaled simulation stays 0: 10/10 either way.
    assert plain.daily_error == pytest.approx([0.8, 1.0])
    assert rescaled.daily_error == pytest.approx([1.0, 1.0])
    assert rescaled.per_camp["A"]["mean_simulated"] == pytest.approx(50.0)


def test_extra_simulated_locations_are_ignored():
    result = averaged_relative_difference({"A": [1, 2], "Town": [9, 9]}, {"A": [1, 2]})
    assert result.ard == 0.0 and set(result.per_camp) == {"A"}


@pytest.mark.parametrize(
    ("simulated", "observed", "message"),
    [
        ({"A": [1, 2]}, {"A": [1, 2], "B": [0, 0]}, "no series for observed camp"),
        ({"A": [1, 2, 3]}, {"A": [1, 2]}, "3 days, observed 2"),
        ({"A": [1, 2], "B": [1]}, {"A": [1, 2], "B": [1, 2]}, "all series must cover"),
        ({"A": [1, np.nan]}, {"A": [1, 2]}, "NaN"),
        ({"A": [1, 2]}, {"A": [-1, 2]}, "negative"),
        ({"A": []}, {"A": []}, "non-empty"),
        ({}, {}, "no camps"),
    ],
)
def test_bad_input_is_a_clear_error(simulated, observed, message):
    with pytest.raises(ValueError, match=message):
        averaged_relative_difference(simulated, observed)
