"""``prds build``: a scenario from standard humanitarian data (COD, DTM, ACLED, WFP, sites).

A recipe (``recipe.py``) names local files; one reader per source turns each into a tidy table
(``boundaries.py``, ``population.py``, ``displacement.py``, ``conflict.py``, ``prices.py``,
``sites.py``); ``graph.py`` makes nodes and edges from the boundaries; ``builder.py`` puts the
scenario together and records where every value came from (``provenance.py``).
"""

import importlib

#: public name -> module that defines it (imported on first use: ``prds --help`` stays quick)
_EXPORTS = {
    "Built": "builder",
    "build": "builder",
    "BuildError": "recipe",
    "Recipe": "recipe",
    "RecipeError": "recipe",
    "load_recipe": "recipe",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"simulation.build.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'simulation.build' has no attribute {name!r}")
