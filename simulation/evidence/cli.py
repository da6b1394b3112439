"""``prds evidence [--out DIR] [--replicates N] [--only ID] [--workers N] [--seed N]``."""

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from simulation.sweeps.cli import _fail

console = Console()
errors = Console(stderr=True)


def evidence_command(
    out: Path = typer.Option(Path("out/evidence"), "--out", help="output folder"),
    replicates: int = typer.Option(5, "--replicates", "-n", min=1,
                                   help="paired replicates per study design"),
    only: list[str] = typer.Option(None, "--only", help="entry id (repeatable; default: all)"),
    workers: int = typer.Option(None, "--workers", min=1,
                                help="local processes (default: one per core; 1 = in this process)"),
    seed: int = typer.Option(0, "--seed", min=0, help="root of the replicate seeds"),
    library: Path = typer.Option(None, "--library", help="folder of entries (default: "
                                 "scenarios/evidence)"),
) -> None:
    """Reproduce every published result of the evidence library; write evidence.json and
    evidence.html; exit 1 if a target fails.

    Each entry's study design runs on paired replicates (a study scenario and its baseline
    with the same seed); the model's median must fall in the band derived from the
    published interval.
    """
    from simulation.evidence import EvidenceError, evaluate, load_library
    from simulation.evidence.evaluate import FEW_HOUSEHOLDS
    from simulation.evidence.report import write
    from simulation.scenario import ScenarioError
    from simulation.sweeps.executors import open_executor

    started = time.perf_counter()
    try:
        entries = load_library(library, only=only or None)
    except (EvidenceError, ScenarioError) as error:
        _fail(str(error))
    with open_executor(workers=workers) as executor, Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("runs"), TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(f"{len(entries)} evidence entries", total=None)
        results = evaluate(entries, replicates=replicates, seed=seed, executor=executor,
                           progress=lambda done, total: bar.update(task, completed=done,
                                                                   total=total))
    meta = {"replicates": replicates, "seed": seed, "parameters": None,
            "seconds": round(time.perf_counter() - started, 1)}
    written = write(results, entries, out, meta)
    console.print(result_table(results))
    few = [f"{r.id} ({r.households_measured})" for r in results if r.few_households]
    if few:
        console.print(f"computed over fewer than {FEW_HOUSEHOLDS} households, so mostly noise: "
                      + ", ".join(few), highlight=False)
    failed = [r.id for r in results if not r.pass_]
    console.print(f"{len(results) - len(failed)} of {len(results)} targets pass in "
                  f"{meta['seconds']} s; wrote " + ", ".join(str(p) for p in written),
                  highlight=False)
    if failed:
        errors.print(f"[bold red]failed:[/] {', '.join(failed)}", highlight=False)
        raise typer.Exit(1)


def result_table(results) -> Table:
    """One row per target: published band, model median and band, pass."""
    from simulation.evidence.report import _fmt, band_text

    table = Table(title="evidence: model (median [10%, 90%] over paired replicates) against "
                        "the published band")
    for column in ("target", "use", "published band", "model", "households", "pass"):
        table.add_column(column, justify="right" if column in ("model", "households") else "left",
                         no_wrap=column == "target")
    for r in results:
        model = f"{_fmt(r.model['median'])} [{_fmt(r.model['p10'])}, {_fmt(r.model['p90'])}]"
        verdict = "[green]pass[/]" if r.pass_ else "[bold red]FAIL[/]"
        measured = r.households_measured
        table.add_row(r.id, r.use, band_text(r.tolerance["low"], r.tolerance["high"]), model,
                      "" if measured is None else f"{measured:,}", verdict)
    return table
