"""The default scenario at seed 42 gives the pinned per-step summary (guards speed work).

Speed work must not change results: every summary key at every one of 36 steps must equal
the pinned value exactly. Regenerate with ``python tests/benchmarks/pin_default.py`` only for
a deliberate change of behaviour.
"""

import json

from pin_default import PINNED, pinned_run


def test_default_seed42_matches_pinned_summary():
    expected = json.loads(PINNED.read_text())
    summaries, _ = pinned_run()
    assert len(summaries) == len(expected)
    for got, want in zip(summaries, expected, strict=True):
        assert got == want, f"step {want['step']} differs: " + ", ".join(
            f"{k}: {got.get(k)} != {v}" for k, v in want.items() if got.get(k) != v)
