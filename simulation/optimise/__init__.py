"""The best mix for a budget: many-objective robust search of programme portfolios (issue 15).

As the EMA Workbench's many-objective robust decision making: levers (each programme's share of
the budget and its settings) are searched by an evolutionary algorithm (NSGA-II, pymoo), each
candidate judged across the same sampled uncertainties and paired replicates. The pieces:
the optimisation file (``spec.py``), the decision space (``portfolio.py``), the robustness
measures and the front (``measures.py``), the search on the sweeps' executors and store
(``search.py``), the outputs (``outputs.py``: Parquet tables and scenario files for
``prds compare``) and the report (``report.py``).

    from simulation.optimise import load_optimisation, run_optimisation, write_outputs
    from simulation.sweeps import open_executor

    problem = load_optimisation("scenarios/optimise/protracted.optimise.yaml")
    with open_executor(workers=2) as executor:          # or dask="local"
        result = run_optimisation(problem, "out/optimise/demo", executor, resume=True)
    write_outputs(result)
"""

from simulation.lazy import exports_on_first_use

_EXPORTS = {
    "OptimiseError": "spec", "Optimisation": "spec", "load_optimisation": "spec",
    "from_data": "spec",
    "Portfolio": "portfolio", "Mix": "portfolio",
    "run_optimisation": "search", "OptimisationResult": "search", "EvaluationFailed": "search",
    "write_outputs": "outputs",
}
__all__ = sorted(_EXPORTS)

__getattr__ = exports_on_first_use(__name__, _EXPORTS)
