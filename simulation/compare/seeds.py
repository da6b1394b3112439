"""Replicate seeds: one per replicate, shared by every scenario of a comparison.

Seed *k* is drawn from ``numpy.random.SeedSequence(root).spawn(N)[k]`` (32 bits of its
state), so the seeds are well spread, reproducible from the root alone, and the first *k*
seeds do not change when more replicates are asked for. The root defaults to the baseline
scenario's ``seed``. Inside a run, each decision draws from its own named stream derived from
the run seed (``simulation/random_streams.py``), so two scenarios with the same seed share
every draw that their interventions do not touch.
"""

import numpy as np

SEED_SCHEME = (
    "replicate k of every scenario uses seed_k = SeedSequence(root).spawn(N)[k]"
    ".generate_state(1, uint32)[0] (numpy); root = {root}"
)


def replicate_seeds(root: int, replicates: int) -> list[int]:
    """The ``replicates`` run seeds derived from ``root`` (see module docstring)."""
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    if root < 0:
        raise ValueError(f"the root seed must be a non-negative integer, got {root}")
    children = np.random.SeedSequence(int(root)).spawn(int(replicates))
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]
