"""``prds compare BASE.yaml OTHER.yaml ... [--replicates N] [--out DIR] [--workers N]``."""

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from simulation.scenario import ScenarioError
from simulation.sweeps.cli import _fail

console = Console()

#: outcomes printed in the terminal table (all of them are in comparison.json and the report)
SHOWN = ("self_reliant_share", "harmful_coping_share", "emergency_coping_share",
         "durable_solution_share", "irregular_migration", "cost_total")


def compare_command(
    scenarios: list[Path] = typer.Argument(..., help="scenario YAML files; the first is the baseline"),
    replicates: int = typer.Option(20, "--replicates", "-n", min=1,
                                   help="paired replicates per scenario"),
    out: Path = typer.Option(None, "--out", help="output folder (default: out/compare-<baseline>)"),
    workers: int = typer.Option(None, "--workers", min=1,
                                help="local processes (default: one per core; 1 = in this process)"),
    seed: int = typer.Option(None, "--seed", min=0,
                             help="root of the replicate seeds (default: the baseline's seed)"),
    dask: str = typer.Option(None, "--dask", metavar="ADDRESS|local",
                             help="run on a Dask cluster: a scheduler address "
                                  "(tcp://host:8786) or 'local' for a LocalCluster here "
                                  "(--workers: its workers); the same numbers"),
) -> None:
    """Compare scenarios with paired replicates; write comparison.json, report.html and plots.

    Replicate k of every scenario uses the same seed (child k of SeedSequence(root).spawn(N)), so
    each difference from the baseline (the first file) is paired.
    """
    from simulation.compare import compare
    from simulation.sweeps.executors import ClusterError

    started = time.perf_counter()
    total = replicates * len(scenarios)
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("runs"), TimeElapsedColumn(), console=console,
                      transient=True) as bar:
            task = bar.add_task(f"comparing {len(scenarios)} scenarios", total=total)
            comparison = compare(list(scenarios), replicates=replicates, seed=seed,
                                 workers=workers, dask=dask,
                                 progress=lambda done, _: bar.update(task, completed=done))
    except (ScenarioError, ValueError, ClusterError) as error:  # ScenarioError names the line
        _fail(str(error))
    out = out or Path("out") / f"compare-{comparison.baseline}"
    comparison.write(out)
    console.print(result_table(comparison))
    console.print(f"{total} runs and the report in {time.perf_counter() - started:.1f} s; "
                  f"wrote {out}/comparison.json and {out}/report.html")


def result_table(comparison) -> Table:
    """Medians and paired differences of the main outcomes, one row per scenario."""
    doc = comparison.document["scenarios"]
    table = Table(title=f"{comparison.replicates} paired replicates; baseline "
                        f"{comparison.baseline}; median, then the paired difference and its "
                        "10-90% band")
    table.add_column("scenario")
    for key in SHOWN:
        table.add_column(key.replace("_share", "").replace("_", " "), justify="right")
    for name in comparison.names:
        cells = []
        for key in SHOWN:
            value = doc[name]["outcomes"][key]["median"]
            text = f"{value / 1000:,.0f}k" if key == "cost_total" else f"{value:.3f}"
            if name != comparison.baseline and key != "cost_total":
                d = doc[name]["difference"][key]
                text += f"\n{d['median']:+.3f}\n[{d['p10']:+.3f}, {d['p90']:+.3f}]"
            cells.append(text)
        table.add_row(name, *cells)
    return table
