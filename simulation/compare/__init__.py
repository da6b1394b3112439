"""Paired comparisons of scenarios for planners: ``prds compare`` and :func:`compare`.

Replicate *k* of every scenario runs with the same seed (common random numbers, DESIGN.md
section 4), so a difference from the baseline is the intervention, not noise. For every
summary outcome: the median and 10-90% band per scenario and of the paired difference; the
cost and the cost per outcome; a self-contained HTML report.
"""

from simulation.lazy import exports_on_first_use

#: public name -> module that defines it (imported on first use: ``prds --help`` stays quick)
_EXPORTS = {
    "Comparison": "comparison",
    "compare": "comparison",
    "SEED_SCHEME": "seeds",
    "replicate_seeds": "seeds",
}

__all__ = sorted(_EXPORTS)

__getattr__ = exports_on_first_use(__name__, _EXPORTS)
