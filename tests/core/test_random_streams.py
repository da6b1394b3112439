"""The named streams: the same generators as NumPy's SeedSequence, bit for bit, for less."""

import numpy as np
import pytest

from simulation.random_streams import BLOCK, RandomStreams, stable_hash


def numpy_generator(seed: int, name: str, step: int) -> np.random.Generator:
    """The definition: PCG64 seeded by SeedSequence(seed, spawn_key=(hash(name), step))."""
    sequence = np.random.SeedSequence(seed, spawn_key=(stable_hash(name), step))
    return np.random.Generator(np.random.PCG64(sequence))


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 - 1, 2**32, 2**63 - 1, 2**130 + 7])
def test_streams_are_numpys_seed_sequence_generators(seed):
    streams = RandomStreams(seed)
    steps = [0, 1, 35, BLOCK - 1, BLOCK, 3 * BLOCK + 5, 2**32 - 1, 2**32, 2**40 + 3]
    for name in ("flight", "population:0", "", "arrivals:12"):
        for step in steps:
            expected = numpy_generator(seed, name, step).random(7)
            assert np.array_equal(streams.uniform(name, step, 7), expected), (name, step)
            # a generator serves every distribution, as NumPy's does
            assert np.array_equal(streams.generator(name, step).poisson(3.0, 5),
                                  numpy_generator(seed, name, step).poisson(3.0, 5))


def test_a_longer_draw_starts_with_the_shorter_one():
    streams = RandomStreams(7)
    assert np.array_equal(streams.uniform("move", 3, 1500)[:1000], streams.uniform("move", 3, 1000))


def test_negative_seed_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        RandomStreams(-1)
