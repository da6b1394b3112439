"""prds-sim: households on a settlement graph, coping, earning and moving, under interventions.

The package follows IOM's Progressive Resolution of Displacement Situations (PRDS) framework.
Start with :func:`simulation.api.run` or the ``prds`` command line.
"""

__version__ = "0.1.0"
