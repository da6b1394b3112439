"""``prds build``: a scenario from standard humanitarian data (COD, DTM, ACLED, WFP, sites).

A recipe (``recipe.py``) names local files; one reader per source turns each into a tidy table
(``boundaries.py``, ``population.py``, ``displacement.py``, ``conflict.py``, ``prices.py``,
``sites.py``); ``graph.py`` makes nodes and edges from the boundaries; ``builder.py`` puts the
scenario together and records where every value came from (``provenance.py``).
"""
