"""The evidence library: published results, the study designs that reproduce them, and scores.

```python
from simulation.evidence import load_library, evaluate
entries = load_library()                    # scenarios/evidence/*.yaml, validated
results = evaluate(entries, replicates=5, seed=0, parameters={"flight_rate": 0.5})
```

Each entry (``schema.py``) cites a published result and says how the model measures the same
thing; ``evaluate`` runs the designs on paired replicates (``runner.py``) and scores each
against its tolerance band (``evaluate.py``); ``report.py`` writes ``evidence.json`` and
``evidence.html``; ``cli.py`` is ``prds evidence``.
"""

from simulation.evidence.evaluate import TargetResult, evaluate, fit_loss
from simulation.evidence.library import EvidenceError, LibraryEntry, load_entry, load_library

__all__ = ["EvidenceError", "LibraryEntry", "TargetResult", "evaluate", "fit_loss", "load_entry",
           "load_library"]
