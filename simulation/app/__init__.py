"""The workshop app (``prds app``): Mesa's SolaraViz around a baseline and an intervention run.

``workshop.py`` the model the app steps, ``controls.py`` its controls generated from the
declarations, ``figures.py`` the pictures, ``concepts.py`` the PRDS explanations, ``page.py``
the Solara page, ``command.py`` the CLI command. Nothing in the simulation imports this package.
"""
