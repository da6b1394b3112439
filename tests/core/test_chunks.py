"""Large-run speed-ups that must not change a number: per-household rules on slices of rows
(simulation/chunks.py), float32 score thresholds (phases/indicators.py)."""

import numpy as np
import pytest

from simulation import chunks
from simulation.chunks import RowChunks
from simulation.model import PRDSModel
from simulation.scenario import DEFAULT_SCENARIO, load_scenario
from simulation.state import HouseholdStore


def test_row_slice_reads_and_writes_only_its_rows():
    store = HouseholdStore(10)
    store.savings = np.arange(10, dtype=np.float32)
    part = store.rows(3, 7)
    assert len(part) == 4 and part.savings.tolist() == [3.0, 4.0, 5.0, 6.0]
    part.savings = part.savings * 2  # assignment writes into the store, as on the store
    part.debt[1] = 5.0  # and so does writing into a column
    assert store.savings.tolist() == [0, 1, 2, 6, 8, 10, 12, 7, 8, 9]
    assert store.debt.tolist() == [0, 0, 0, 0, 5, 0, 0, 0, 0, 0]
    with pytest.raises(AttributeError, match="no column 'savigns'"):
        part.savigns = 1.0


def test_bounds_cover_every_row_once():
    split = RowChunks(threads=3)
    assert split.bounds(chunks.PARALLEL_MIN - 1) == [(0, chunks.PARALLEL_MIN - 1)]
    n = chunks.PARALLEL_MIN + 1
    assert RowChunks(threads=1).bounds(n) == [(0, n)]
    bounds = split.bounds(n)
    assert len(bounds) == 3 * chunks.SLICES_PER_THREAD
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))


def test_a_failing_slice_raises_in_the_caller():
    store = HouseholdStore(chunks.PARALLEL_MIN)

    def rule(rows):
        if rows.start > 0:
            raise ValueError("boom")

    split = RowChunks(threads=2)
    with pytest.raises(ValueError, match="boom"):
        split.run(store, rule)
    split.close()


def _run(threads: int, monkeypatch) -> PRDSModel:
    monkeypatch.setattr(chunks, "PARALLEL_MIN", 100)  # slice the default's 6,400 households
    model = PRDSModel(load_scenario(DEFAULT_SCENARIO, {"steps": 12}), seed=3, with_agents=False)
    model.row_chunks = RowChunks(threads)
    model.run()
    return model


def test_slices_give_the_same_run_bit_for_bit(monkeypatch):
    """One pass, or slices on three threads: every column, the flows and the summaries equal.
    A rule that summed over households inside a slice would differ here."""
    one, three = _run(1, monkeypatch), _run(3, monkeypatch)
    assert three.row_chunks.threads == 3
    for name in one.households._buffers:
        a, b = getattr(one.households, name), getattr(three.households, name)
        assert a.tobytes() == b.tobytes(), name
    assert np.array_equal(one.flows, three.flows)
    assert one.recorder.metrics().equals(three.recorder.metrics())


def test_threads_follow_the_setting_else_the_cores(monkeypatch):
    monkeypatch.setenv("PRDS_THREADS", "3")
    assert RowChunks().threads == 3
    monkeypatch.setenv("PRDS_THREADS", "many")
    with pytest.raises(ValueError, match="PRDS_THREADS must be a whole number"):
        RowChunks()
    monkeypatch.delenv("PRDS_THREADS")
    monkeypatch.setattr(chunks, "available_cores", lambda: 2)
    assert RowChunks().threads == 2
    monkeypatch.setattr(chunks, "available_cores", lambda: 64)
    assert RowChunks().threads == chunks.MAX_THREADS
    monkeypatch.setattr(chunks, "available_cores", lambda: 1)
    assert RowChunks().threads == 1


def test_float32_scores_compare_as_in_float64():
    """indicators.score compares float32 values with the smallest float32 at or above each
    threshold: the same answers as comparing in float64, at the edges too."""
    from simulation.phases.indicators import float32_at_or_above, score

    rng = np.random.default_rng(5)
    for threshold in (1e-6, 0.2, 0.25, 0.5, 0.75, 0.8, 1.0, 1.3, 3.0, 6.0, 1 / 3):
        near = np.float32(threshold)
        x = np.concatenate([rng.random(10_000, dtype=np.float32) * 8, [
            near, np.nextafter(near, np.float32(0)), np.nextafter(near, np.float32(9)), np.nan]])
        x = x.astype(np.float32)
        assert np.array_equal(x >= np.float64(threshold), x >= float32_at_or_above(threshold))
    x = rng.random(1000, dtype=np.float32) * 2
    expected = 1 + sum((x.astype(np.float64) >= t).astype(np.int8) for t in (0.2, 0.5, 1 / 3))
    assert np.array_equal(score(x, [0.2, 1 / 3, 0.5]), expected)
