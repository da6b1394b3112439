"""Paired comparisons of scenarios for planners: ``prds compare`` and :func:`compare`.

Replicate *k* of every scenario runs with the same seed (common random numbers, DESIGN.md
section 4), so a difference from the baseline is the intervention, not noise. For every
summary outcome: the median and 10-90% band per scenario and of the paired difference; the
cost and the cost per outcome; a self-contained HTML report.
"""

from simulation.compare.comparison import Comparison, compare
from simulation.compare.seeds import SEED_SCHEME, replicate_seeds

__all__ = ["SEED_SCHEME", "Comparison", "compare", "replicate_seeds"]
