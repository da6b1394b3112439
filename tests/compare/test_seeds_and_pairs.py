"""Replicate seeds, paired differences, serial and pooled runs alike."""

import numpy as np
import pytest
from compare_fixtures import CASH, NO_OP, scenario

from simulation.compare import compare, replicate_seeds
from simulation.compare.stats import band
from simulation.outputs.summary import OUTCOME_KEYS


def test_replicate_seeds_are_reproducible_distinct_and_prefix_stable():
    seeds = replicate_seeds(42, 8)
    assert seeds == replicate_seeds(42, 8)
    assert len(set(seeds)) == 8 and all(0 <= s < 2**32 for s in seeds)
    assert replicate_seeds(42, 3) == seeds[:3]
    assert replicate_seeds(43, 3) != seeds[:3]
    expected = np.random.SeedSequence(42).spawn(8)[5].generate_state(1, dtype=np.uint32)[0]
    assert seeds[5] == int(expected)
    with pytest.raises(ValueError):
        replicate_seeds(42, 0)


def test_band_is_median_and_10_90_percentiles():
    b = band(np.arange(11.0))
    assert (b["median"], b["p10"], b["p90"]) == (5.0, 1.0, 9.0)


def test_a_no_op_intervention_gives_exactly_zero_difference():
    result = compare([scenario("base"), scenario("no-op", NO_OP)], replicates=4, workers=1)
    doc = result.document["scenarios"]["no-op"]
    for key in OUTCOME_KEYS:
        assert doc["difference"][key] == {"median": 0.0, "p10": 0.0, "p90": 0.0}, key
    for base, other in zip(result.runs[0], result.runs[1], strict=True):
        assert base.seed == other.seed
        for name, values in base.series.items():
            assert np.array_equal(values, other.series[name]), name
        assert np.array_equal(base.flows, other.flows)


def test_replicate_k_shares_its_seed_and_differences_are_paired():
    result = compare([scenario("base"), scenario("cash", CASH)], replicates=5, workers=1, seed=9)
    assert [r.seed for r in result.runs[0]] == replicate_seeds(9, 5)
    assert [r.seed for r in result.runs[1]] == replicate_seeds(9, 5)
    key = "harmful_coping_share"
    diffs = [c.summary[key] - b.summary[key] for b, c in zip(*result.runs, strict=True)]
    assert result.document["scenarios"]["cash"]["difference"][key] == band(diffs)
    assert result.document["scenarios"]["cash"]["outcomes"][key] == band(
        [c.summary[key] for c in result.runs[1]])


def test_a_process_pool_gives_the_same_numbers_as_a_serial_loop():
    scenarios = [scenario("base"), scenario("cash", CASH)]
    serial = compare(scenarios, replicates=3, workers=1)
    pooled = compare(scenarios, replicates=3, workers=2)
    assert serial.document == pooled.document
    for a, b in zip(serial.runs, pooled.runs, strict=True):
        for x, y in zip(a, b, strict=True):
            assert x.summary == y.summary
            assert all(np.array_equal(x.series[k], y.series[k]) for k in x.series)


def test_scenarios_must_share_the_horizon():
    with pytest.raises(ValueError, match="same horizon"):
        compare([scenario("base"), scenario("longer", steps=7)], replicates=1, workers=1)
