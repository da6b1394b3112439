"""Parameter sweeps and sensitivity analysis (issue 5; STYLE.md point 9).

The pieces are kept apart, as in the EMA Workbench: factors (``factors.py``: uncertainties
and levers, ranges and distributions), the sweep file (``spec.py``), samplers
(``design.py``), the executor (``executors.py``: in-process, local processes, Dask), the
runner (``runner.py``), the results on disk (``store.py``) and the analysis (``analysis.py``,
``plots.py``, ``report.py``). The model is any ``model(scenario, seed, overrides) -> dict``;
by default ``simulation.api.run_one``.

    from simulation.sweeps import load_sweep, run_sweep, open_executor, write_analysis

    sweep = load_sweep("scenarios/sweeps/behaviour_and_cash.sweep.yaml").with_samples(8)
    with open_executor(workers=2) as executor:        # or dask="local" / "tcp://host:8786"
        done = run_sweep(sweep, "out/sweeps/demo", executor, resume=True)
    analysis, files = write_analysis("out/sweeps/demo", sweep, done.design, done.results)
"""

from simulation.lazy import exports_on_first_use

#: public name -> module that defines it (imported on first use: ``prds --help`` stays quick)
_EXPORTS = {
    "Analysis": "analysis", "analyze": "analysis",
    "SweepDesign": "design", "build_design": "design", "run_seed": "design",
    "SerialExecutor": "executors", "open_executor": "executors",
    "write_analysis": "report",
    "RunTask": "runner", "SweepOutcome": "runner", "evaluate": "runner", "run_sweep": "runner",
    "Sweep": "spec", "SweepError": "spec", "from_data": "spec", "load_sweep": "spec",
}
__all__ = sorted(_EXPORTS)

__getattr__ = exports_on_first_use(__name__, _EXPORTS)
