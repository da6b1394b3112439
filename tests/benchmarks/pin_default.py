"""Pin the default scenario's per-step summary at seed 42, to check speed work preserves results.

``python tests/benchmarks/pin_default.py`` rewrites ``pinned_default_seed42.json`` from the
current code; do that only on purpose (a deliberate change of behaviour), and say why in the
commit. ``column_digest`` fingerprints every household column bit for bit, a stricter check
used while optimizing (printed by the script, not pinned: a float32 rounding change that
moves no household across a threshold changes it without changing any reported number).
"""

import hashlib
import json
from pathlib import Path

from simulation.model import PRDSModel
from simulation.scenario import DEFAULT_SCENARIO, load_scenario
from simulation.state import COLUMNS

PINNED = Path(__file__).with_name("pinned_default_seed42.json")
SEED, STEPS = 42, 36


def pinned_run() -> tuple[list[dict], str]:
    """Per-step summaries of the default scenario (seed 42, 36 steps) and a column digest."""
    model = PRDSModel(load_scenario(DEFAULT_SCENARIO), seed=SEED, steps=STEPS, with_agents=False)
    model.run()
    return model.recorder.summaries, column_digest(model)


def column_digest(model) -> str:
    """SHA-256 over the bytes of every household column, in ``COLUMNS`` order."""
    digest = hashlib.sha256()
    for name in COLUMNS:
        digest.update(getattr(model.households, name).tobytes())
    return digest.hexdigest()


if __name__ == "__main__":
    summaries, digest = pinned_run()
    PINNED.write_text(json.dumps(summaries, indent=1) + "\n")
    print(f"wrote {PINNED}; column digest {digest}")
