"""``prds build``: a scenario from standard humanitarian data (COD, DTM, ACLED, WFP, sites).

A recipe (``recipe.py``) names local files; one reader per source turns each into a tidy table
(``boundaries.py``, ``population.py``, ``displacement.py``, ``conflict.py``, ``prices.py``,
``sites.py``); ``graph.py`` makes nodes and edges from the boundaries; ``builder.py`` puts the
scenario together and records where every value came from (``provenance.py``).
"""

from simulation.lazy import exports_on_first_use

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

__getattr__ = exports_on_first_use(__name__, _EXPORTS)
