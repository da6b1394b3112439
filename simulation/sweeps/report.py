"""Write a sweep's analysis: the indices as Parquet and CSV, the figures as PNG.

Files, under ``DIR/analysis/``: ``sensitivity.parquet`` and ``sensitivity.csv`` (one row per
outcome x factor), ``notes.json`` (what could not be computed), ``sobol.png`` /
``morris.png`` / ``ranks.png``, ``factor_<key path>.png`` per factor, and with Sobol
``second_order: true`` ``second_order.parquet`` / ``.csv`` (S2 per factor pair). All atomic.
"""

import re
from pathlib import Path

import pandas as pd

from simulation.outputs import files
from simulation.sweeps import plots
from simulation.sweeps.analysis import Analysis, analyze
from simulation.sweeps.design import SweepDesign
from simulation.sweeps.spec import Sweep

FIGURE_NAMES = {"sobol": "sobol.png", "morris": "morris.png", "lhs": "ranks.png",
                "grid": "ranks.png"}


def write_analysis(out_dir: str | Path, sweep: Sweep, design: SweepDesign,
                   results: pd.DataFrame) -> tuple[Analysis, list[Path]]:
    """Analyse ``results`` and write the table and figures (see the module docstring)."""
    out = Path(out_dir) / "analysis"
    analysis = analyze(sweep, design, results)
    table = analysis.table
    written = [
        files.write_parquet(out / "sensitivity.parquet", table),
        files.write_text(out / "sensitivity.csv", table.to_csv(index=False)),
        files.write_json(out / "notes.json", {"method": analysis.method, "notes": analysis.notes,
                                              "runs": len(results),
                                              "failed": int((results["status"] != "ok").sum())}),
    ]
    if analysis.second_order is not None:
        written += [files.write_parquet(out / "second_order.parquet", analysis.second_order),
                    files.write_text(out / "second_order.csv",
                                     analysis.second_order.to_csv(index=False))]
    if len(table):
        title = f"{sweep.name}: {analysis.method} ({len(design.runs)} runs)"
        written.append(files.save_figure(out / FIGURE_NAMES[analysis.method],
                                         plots.indices_figure(analysis, title)))
    ok = results[results["status"] == "ok"]
    if len(ok):
        for name in design.names:
            order = getattr(sweep.factors[name], "values", None)
            figure = plots.factor_figure(ok, name, sweep.kind(name), list(sweep.outcomes),
                                         order=order)
            written.append(files.save_figure(out / f"factor_{_file_name(name)}.png", figure))
    return analysis, written


def _file_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", key)
