"""Named random streams for common random numbers (DESIGN.md section 6; Starsim's approach).

Every decision (flight, destination, job search, ...) has its own stream, seeded from the run
seed, a stable hash of the stream's name and the step. A stream always draws one number per
household per step, whether or not the household is eligible, so household *i*'s draw for a
decision does not depend on who else is eligible, on other decisions, or on interventions that
draw their own streams. Two scenarios with the same seed then differ only where they really
differ (a no-op intervention gives a difference of exactly zero).
"""

import zlib

import numpy as np


def stable_hash(name: str) -> int:
    """A hash of a name that is the same in every process (unlike ``hash``)."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """Factory of per-step, per-decision generators derived from one run seed."""

    def __init__(self, seed: int):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        self.seed = int(seed)

    def generator(self, name: str, step: int) -> np.random.Generator:
        """The generator of stream ``name`` at ``step``, independent of all other draws."""
        sequence = np.random.SeedSequence(self.seed, spawn_key=(stable_hash(name), int(step)))
        return np.random.Generator(np.random.PCG64(sequence))

    def uniform(self, name: str, step: int, n: int) -> np.ndarray:
        """``n`` uniforms in [0, 1): one per household row, for decision ``name`` at ``step``."""
        return self.generator(name, step).random(n, dtype=np.float64)
