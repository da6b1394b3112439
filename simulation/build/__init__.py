"""``prds build``: a scenario from standard humanitarian data (COD, DTM, ACLED, WFP, sites).

A recipe (``recipe.py``) names local files; one reader per source turns each into a tidy table
(``boundaries.py``, ``population.py``, ``displacement.py``, ``conflict.py``, ``prices.py``,
``sites.py``); ``graph.py`` makes nodes and edges from the boundaries; ``builder.py`` puts the
scenario together and records where every value came from (``provenance.py``).
"""

from simulation.build.builder import Built, build
from simulation.build.recipe import BuildError, Recipe, RecipeError, load_recipe

__all__ = ["build", "Built", "load_recipe", "Recipe", "RecipeError", "BuildError"]
