"""``prds optimise FILE``: search programme mixes for a budget, resumably, then report.

The optimisation machinery is imported when the command runs, so ``prds --help`` stays quick.
"""

import signal
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from simulation.sweeps.cli import (
    _fail,
    _interrupt,
    dask_option,
    refuse_workers_with_cluster,
    workers_option,
)

console = Console()


def optimise_command(
    optimise_file: Path = typer.Argument(..., help="optimisation YAML (see scenarios/optimise/)"),
    generations: int = typer.Option(None, "--generations", min=1,
                                    help="NSGA-II generations (default: the file's)"),
    population: int = typer.Option(None, "--population", min=2,
                                   help="candidates per generation (default: the file's)"),
    workers: int = workers_option(),
    dask: str = dask_option(),
    resume: bool = typer.Option(False, "--resume",
                                help="continue the optimisation in --out: runs already "
                                     "written are read back, not run again"),
    out: Path = typer.Option(None, "--out", help="output folder (default: out/optimise/<name>)"),
) -> None:
    """Search mixes of programmes for a budget (NSGA-II); write evaluations.parquet,
    pareto.parquet, optimise.html and the best mixes as scenario files for prds compare.

    Every candidate runs on the same paired replicates and uncertainty sample. Rerun with
    --resume after an interruption: the search replays, reading every run already written.
    """
    from simulation.optimise.outputs import compare_command, write_outputs
    from simulation.optimise.search import EvaluationFailed, run_optimisation
    from simulation.optimise.spec import OptimiseError, load_optimisation
    from simulation.sweeps.executors import ClusterError, open_executor

    started = time.perf_counter()
    try:
        problem = load_optimisation(optimise_file).with_search(generations, population)
    except OptimiseError as error:
        _fail(str(error))
    refuse_workers_with_cluster(workers, dask, "the optimisation")
    out = out or Path("out") / "optimise" / problem.name
    runs = problem.replicates * (len(problem.uncertainty_sample()))
    search = problem.search
    console.print(f"optimise [bold]{problem.name}[/]: USD {problem.budget:,.0f} shared by "
                  f"{', '.join(problem.programmes)}; {search.generations} generations x "
                  f"{search.population} candidates (+ {len(problem.programmes) + 1} references)"
                  f", {runs} runs each", highlight=False)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("runs  {task.fields[note]}"), TimeElapsedColumn())
    try:
        with open_executor(workers, dask) as executor, Progress(*columns, console=console) as bar:
            link = getattr(getattr(executor, "_client", None), "dashboard_link", None)
            if link:
                console.print(f"Dask dashboard: {link}", highlight=False)
            tasks: dict[int, int] = {}

            def show(state):
                if state.generation not in tasks:
                    tasks[state.generation] = bar.add_task(
                        f"generation {state.generation}/{state.generations}",
                        total=max(state.total, 1), note="")
                note = f"{state.candidates} candidates, {state.rate:.1f} runs/s" + (
                    f" [red]{state.failed} failed[/]" if state.failed else "")
                bar.update(tasks[state.generation], completed=state.done if state.total else 1,
                           note=note)

            result = run_optimisation(problem, out, executor, resume=resume, progress=show)
    except OptimiseError as error:
        _fail(str(error))
    except EvaluationFailed as error:
        _fail(str(error), 1)
    except KeyboardInterrupt:
        _fail(f"interrupted; every finished run is in {out} - continue with --resume", 130)
    except ClusterError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{error.strerror or error}: {error.filename or out}")
    finally:
        signal.signal(signal.SIGTERM, previous)
    write_outputs(result)
    console.print(chosen_table(result), width=max(console.width, 110), crop=False)
    frame = result.evaluations
    console.print(f"{len(frame)} candidates ({frame['mix'].nunique()} distinct mixes): "
                  f"{result.ran} runs run, {result.skipped} read back, in "
                  f"{time.perf_counter() - started:.0f} s; every candidate within the budget: "
                  f"{'yes' if frame['within_budget'].all() else '[red]no[/]'}; "
                  f"{int(frame['beats_corners'].sum())} at least as good as every programme "
                  f"alone on every objective and better on one", highlight=False)
    console.print(f"wrote {out}/evaluations.parquet, pareto.parquet, optimise.html and "
                  f"scenarios/; compare them on the same seeds with:\n  "
                  f"{compare_command(result, out / 'scenarios')}", highlight=False,
                  soft_wrap=True)


def chosen_table(result) -> Table:
    """The chosen mixes and the programmes alone: shares, cost and objectives."""
    from simulation.optimise.outputs import named_rows

    problem = result.problem
    table = Table(title=f"{problem.name}: best mixes and each programme alone "
                        f"({problem.robustness} over {len(result.seeds) * len(result.samples)} "
                        "runs)", header_style="bold",
                  caption="* at least as good as every programme alone on every objective "
                          "and better on one; % of budget: " + "/".join(result.portfolio.names))
    table.add_column("file", overflow="fold", min_width=23)
    table.add_column("% of budget", justify="right", no_wrap=True)
    table.add_column("USD", justify="right", no_wrap=True)
    for key in problem.objectives:
        table.add_column(f"{_short(key.removesuffix('_share'))}\n({problem.objectives[key]})",
                         justify="right", min_width=6)
    for file_name, row in named_rows(result):
        shares = "/".join(f"{row[f'{n}.budget_share']:.0%}".removesuffix("%")
                          for n in result.portfolio.names)
        mark = " *" if row["beats_corners"] else ""
        cells = [file_name.removesuffix(".yaml") + mark, shares, f"{row['cost'] / 1e6:.2f}M"]
        cells += [f"{row[f'{k}_{problem.robustness}']:.4f}" for k in problem.objectives]
        table.add_row(*cells)
    return table


def _short(name: str) -> str:
    """``durable_solution`` -> ``durable sol.``: headers that fit a terminal."""
    words = name.split("_")
    return " ".join(w if len(w) <= 6 else w[:4] + "." for w in words)
