"""``prds sweep``: run a sweep file locally or on a Dask cluster, resumably, then analyse it.

The sweep machinery is imported when the command runs, so ``prds --help`` stays quick.
"""

import signal
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int = 2):
    """Print ``error: message`` on stderr and exit with ``code``: the one error exit of every
    command. The message is printed as written (escaped), so a file name or key with square
    brackets is not read as Rich markup and lost."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def workers_option():
    """The ``--workers`` option of every command that runs on the sweeps' executors."""
    return typer.Option(None, "--workers", min=1,
                        help="local worker processes (default: one per core; 1 runs in this "
                             "process); with --dask local, Dask workers")


def dask_option(runs: str = "run"):
    """The ``--dask`` option of those commands; ``runs`` begins its help ("run trials")."""
    return typer.Option(None, "--dask", metavar="ADDRESS|local",
                        help=f"{runs} on a Dask cluster: a scheduler address (tcp://host:8786) "
                             "or 'local' for a LocalCluster here")


def refuse_workers_with_cluster(workers: int | None, dask: str | None, what: str) -> None:
    """``--workers`` with ``--dask ADDRESS`` is an error: the cluster's own workers run
    ``what`` (with ``--dask local`` it sizes the LocalCluster)."""
    if workers and dask and dask != "local":
        _fail(f"--workers cannot be combined with --dask ADDRESS: the cluster's workers run "
              f"{what}")


def sweep_command(
    sweep_file: Path = typer.Argument(..., help="sweep YAML (see scenarios/sweeps/)"),
    workers: int = workers_option(),
    dask: str = dask_option(),
    resume: bool = typer.Option(False, "--resume",
                                help="continue the sweep in --out: skip runs already written "
                                     "(failed runs are run again)"),
    samples: int = typer.Option(None, "--samples", min=1,
                                help="base sample size instead of the file's (a quick trial)"),
    out: Path = typer.Option(None, "--out", help="output folder (default: out/sweeps/<name>)"),
    analysis: bool = typer.Option(True, "--analysis/--no-analysis",
                                  help="analyse and plot once every run is written"),
) -> None:
    """Run a parameter sweep; write DIR/results.parquet as runs finish; analyse at the end.

    Rerun with --resume after an interruption: runs already written are skipped. A complete
    sweep rerun with --resume only writes its analysis again.
    """
    from simulation.sweeps.design import build_design
    from simulation.sweeps.executors import ClusterError, open_executor
    from simulation.sweeps.report import write_analysis
    from simulation.sweeps.runner import run_sweep
    from simulation.sweeps.spec import SweepError, load_sweep

    try:
        sweep = load_sweep(sweep_file).with_samples(samples)
        design = build_design(sweep)
    except SweepError as error:
        _fail(str(error))
    refuse_workers_with_cluster(workers, dask, "the sweep")
    out = out or Path("out") / "sweeps" / sweep.name
    if dask:
        where = (f"the Dask cluster at {dask}" if dask != "local" else "a Dask LocalCluster "
                 + (f"of {workers} workers" if workers else "with a worker per core"))
    else:
        where = f"{workers} local process(es)" if workers else "a local process per core"
    console.print(f"sweep [bold]{sweep.name}[/]: {design.method} design, "
                  f"{len(sweep.uncertainties)} uncertainties + {len(sweep.levers)} levers, "
                  f"{len(design.points)} points x {sweep.replicates} replicate(s) = "
                  f"[bold]{len(design.runs)} runs[/] on {where}", highlight=False)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("runs  {task.fields[rate]}  {task.fields[failed]}"),
               TimeElapsedColumn(), TextColumn("left {task.fields[eta]}"))
    try:
        with open_executor(workers, dask) as executor, Progress(*columns, console=console) as bar:
            link = getattr(getattr(executor, "_client", None), "dashboard_link", None)
            if link:
                console.print(f"Dask dashboard: {link}", highlight=False)
            task = bar.add_task(sweep.name, total=len(design.runs), rate="", failed="", eta="?")

            def show(state):
                eta = state.remaining_seconds
                bar.update(task, completed=state.done, rate=f"{state.rate:.2f}/s",
                           failed=f"[red]{state.failed} failed[/]" if state.failed else "",
                           eta=_duration(eta) if eta is not None else "?")

            done = run_sweep(sweep, out, executor, resume=resume, progress=show)
    except SweepError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _fail(f"interrupted; every finished run is in {out} - continue with --resume", 130)
    except ClusterError as error:
        _fail(str(error))
    except OSError as error:  # a full disk, a folder that cannot be written
        _fail(f"{error.strerror or error}: {error.filename or out}")
    finally:
        signal.signal(signal.SIGTERM, previous)
    failed = done.results[done.results["status"] != "ok"]
    console.print(f"{done.ran} runs run, {done.skipped} already written, {len(failed)} failed; "
                  f"results: [bold]{out / 'results.parquet'}[/]", highlight=False)
    for row in failed.head(5).itertuples():
        errors.print(f"  run {row.run}: {row.error}", highlight=False, markup=False)
    if analysis:
        result, written = write_analysis(out, sweep, done.design, done.results)
        if len(result.table):
            console.print(indices_table(result, sweep.name))
        for note in result.notes:
            console.print(f"note: {note}", highlight=False)
        console.print(f"wrote {len(written)} files to [bold]{out / 'analysis'}[/]", highlight=False)


def indices_table(analysis, title: str) -> Table:
    """The indices as a printed table, most influential factor first within each outcome."""
    method = analysis.method
    table = Table(title=f"{title}: {method} sensitivity", header_style="bold",
                  caption="factor: a parameters.* key unless a path is shown; * a lever")
    table.add_column("outcome")
    table.add_column("factor", overflow="fold")
    key = {"sobol": "ST", "morris": "mu_star"}.get(method, "spearman")
    shown = {"sobol": [("S1 (95%)", "S1", "S1_conf"), ("ST (95%)", "ST", "ST_conf")],
             "morris": [("mu* (95%)", "mu_star", "mu_star_conf"), ("sigma", "sigma", None)]
             }.get(method, [("Spearman rho", "spearman", None), ("p", "p_value", None)])
    for header, _, _ in shown:
        table.add_column(header, justify="right")
    frame = analysis.table.assign(_order=analysis.table[key].abs())
    for outcome, rows in frame.groupby("outcome", sort=False):
        for i, row in enumerate(rows.sort_values("_order", ascending=False).to_dict("records")):
            cells = [f"{row[value]:.3f}" + (f" ± {row[conf]:.3f}" if conf else "")
                     for _, value, conf in shown]
            label = row["factor"].removeprefix("parameters.") + (
                " *" if row["kind"] == "lever" else "")
            table.add_row(outcome if i == 0 else "", label, *cells)
    return table


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
