"""``prds import-flee`` and ``prds validate``: real conflicts in Flee's format (issue 6)."""

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from simulation.scenario import ScenarioError
from simulation.sweeps.cli import _fail

console = Console()
errors = Console(stderr=True)


def import_flee_command(
    directory: Path = typer.Argument(..., help="a Flee-format conflict directory "
                                     "(input_csv/ and source_data/)"),
    out: Path = typer.Option(..., "--out", help="scenario YAML to write"),
    parameters: Path = typer.Option(None, "--parameters", help="validation settings YAML "
                                    "(default: scenarios/flee/validation_parameters.yaml)"),
    strict: bool = typer.Option(False, "--strict", help="refuse data quirks that Flee accepts "
                                "(by default each is read as Flee reads it, with a warning)"),
    days: int = typer.Option(None, "--days", min=1, help="import only the first N days of "
                             "the period"),
) -> None:
    """Import a Flee-format conflict as a scenario YAML you can edit and `prds run`."""
    from simulation.scenario import load_scenario
    from simulation.validation.convert import load_validation_parameters, write_flee_scenario
    from simulation.validation.flee_io import FleeFormatError, read_flee_conflict

    try:
        conflict = read_flee_conflict(directory, strict=strict, days=days)
        settings = load_validation_parameters(parameters)
        written = write_flee_scenario(conflict, out, settings)
        scenario = load_scenario(written)
    except (FleeFormatError, ScenarioError, OSError, ValueError) as error:
        _fail(str(error))
    print_data_warnings(conflict.name, [w.as_dict() for w in conflict.data_warnings])
    arrivals = sum(scenario.arrivals[0].counts) if scenario.arrivals else 0
    console.print(f"wrote [bold]{written}[/]: {len(scenario.graph.nodes)} nodes, "
                  f"{len(scenario.graph.edges)} edges, {scenario.steps} daily steps, "
                  f"{sum(p.households for p in scenario.populations):,} persons in camps at "
                  f"the start, {arrivals:,} arriving; conflicts from "
                  f"{conflict.conflict_source}", highlight=False)


def validate_command(
    directories: list[Path] = typer.Argument(..., help="Flee-format conflict folders, or "
                                             "folders holding conflict folders"),
    out: Path = typer.Option(None, "--out", help="output folder (default: out/validate/<name> "
                             "for one conflict, out/validate for several)"),
    replicates: int = typer.Option(1, "--replicates", min=1, help="runs with seeds seed, seed+1, ..."),
    seed: int = typer.Option(0, "--seed", min=0, help="seed of the first replicate"),
    parameters: Path = typer.Option(None, "--parameters", help="validation settings YAML "
                                    "(default: scenarios/flee/validation_parameters.yaml)"),
    strict: bool = typer.Option(False, "--strict", help="refuse data quirks that Flee accepts "
                                "(by default each is read as Flee reads it, with a warning "
                                "listed under data_warnings in validation.json)"),
    days: int = typer.Option(None, "--days", min=1, help="run only the first N days of the "
                             "period (e.g. the days conflicts.csv covers)"),
    hasten: int = typer.Option(1, "--hasten", min=1, help="one agent per H persons, as Flee's "
                               "hasten: populations, spawned numbers and UNHCR counts divided "
                               "by H (ARD is then against the divided counts, as in Flee)"),
    workers: int = typer.Option(None, "--workers", min=1, help="several conflicts: local "
                                "worker processes (default: one per core; 1 runs in this "
                                "process); with --dask local, Dask workers"),
    dask: str = typer.Option(None, "--dask", metavar="ADDRESS|local",
                             help="several conflicts: run them on a Dask cluster (a scheduler "
                                  "address, or 'local' for a LocalCluster here)"),
    flee_ard: list[str] = typer.Option(None, "--flee-ard", metavar="NAME=VALUE",
                                       help="Flee's own ARD of a conflict, for the summary "
                                            "table (repeatable; else flee_ard.csv beside the "
                                            "folders)"),
    resume: bool = typer.Option(False, "--resume", help="several conflicts: skip those "
                                "already finished in --out with the same options"),
) -> None:
    """Run Flee-format conflicts and compare arrivals per camp with the UNHCR counts (ARD).

    One conflict: its table; validation.json, camps.csv and plots in --out.

    Several, or a folder of them: each a task on local processes or Dask, its outputs in
    OUT/<conflict>/, and one table in OUT/summary.csv and OUT/summary.md.
    """
    from simulation.validation.batch import BatchError, find_conflicts, flee_ard_for

    try:
        conflicts = find_conflicts(directories)
        reference = flee_ard_for(conflicts, flee_ard or [])
    except BatchError as error:
        _fail(str(error))
    options = {"replicates": replicates, "seed": seed, "parameters": parameters,
               "strict": strict, "days": days, "hasten": hasten}
    if len(conflicts) == 1 and not dask and not (workers and workers > 1):
        _validate_one(conflicts[0], out, options)
    else:
        _validate_many(conflicts, out or Path("out") / "validate", options, workers, dask,
                       reference, resume)


def _validate_one(directory: Path, out: Path | None, options: dict) -> None:
    """One conflict in this process, with a progress bar of the days run."""
    from simulation.validation.flee_io import FleeFormatError
    from simulation.validation.runner import validate_conflict

    out = out or Path("out") / "validate" / directory.resolve().name
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("days  {task.fields[agents]} agents"), TimeElapsedColumn(),
               TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(directory.resolve().name, total=None, agents="0")

            def show(done: int, total: int, agents: int) -> None:
                if done % 5 == 0 or done == total:  # a refresh costs more than a day's step
                    bar.update(task, completed=done, total=total, agents=f"{agents:,}")

            report = validate_conflict(directory, out=out, progress=show, **options)
    except (FleeFormatError, ScenarioError, OSError, ValueError) as error:
        _fail(str(error))
    print_data_warnings(report["conflict"], report["data_warnings"])
    console.print(report_table(report))
    console.print(f"wrote validation.json, camps.csv, camps.png and error.png to [bold]{out}[/]",
                  highlight=False)


def _validate_many(conflicts: list[Path], out: Path, options: dict, workers: int | None,
                   dask: str | None, reference: dict[str, float], resume: bool) -> None:
    """Several conflicts as tasks on the executor asked for; one summary table."""
    from simulation.sweeps.cli import refuse_workers_with_cluster
    from simulation.sweeps.executors import ClusterError, open_executor
    from simulation.validation.batch import validate_many

    refuse_workers_with_cluster(workers, dask, "the conflicts")
    console.print(f"validating [bold]{len(conflicts)}[/] conflicts: "
                  + ", ".join(p.resolve().name for p in conflicts), highlight=False)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("conflicts  {task.fields[agents]} agents  {task.fields[failed]}"),
               TimeElapsedColumn())
    try:
        with open_executor(workers, dask, fresh=True) as executor, \
                Progress(*columns, console=console) as bar:
            task = bar.add_task("validate", total=len(conflicts), agents="0", failed="")
            state = {"agents": 0, "failed": 0}

            def show(done: int, total: int, row: dict) -> None:
                state["agents"] += int(row.get("agents") or 0)
                state["failed"] += row.get("status") != "ok"
                bar.update(task, completed=done, agents=f"{state['agents']:,}",
                           failed=f"[red]{state['failed']} failed[/]" if state["failed"] else "")

            table = validate_many(conflicts, out, executor, reference, show, resume=resume,
                                  **options)
    except ClusterError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _fail(f"interrupted; conflicts already finished are in {out} - continue with "
              "--resume", 130)
    console.print(summary_rich_table(table))
    for row in table[table["status"] != "ok"].itertuples():
        errors.print(f"  {row.conflict}: {row.error}", highlight=False, markup=False)
    console.print(f"wrote summary.csv, summary.md and a folder per conflict to [bold]{out}[/]",
                  highlight=False)


def print_data_warnings(conflict: str, warnings: list[dict]) -> None:
    """Each data quirk once, as read (validation.json lists them under data_warnings)."""
    for item in warnings:
        where = item["file"] + (f", row {item['row']}" if item["row"] is not None else "")
        where += f", column {item['column']!r}" if item["column"] is not None else ""
        hint = f" (nearest location: {item['nearest']!r})" if item["nearest"] else ""
        text = f"{conflict}: {where}: {item['problem']}{hint}; {item['action']}"
        errors.print(f"[yellow]warning:[/] {escape(text)}", highlight=False, soft_wrap=True)


def summary_rich_table(table) -> Table:
    """The summary of several conflicts, as printed."""
    shown = Table(title="validation summary", header_style="bold")
    for column in ("conflict", "days", "agents", "ARD", "rescaled ARD", "Flee ARD",
                   "warnings", "µs/agent-day", "peak MiB"):
        shown.add_column(column, justify="left" if column == "conflict" else "right")
    for row in table.itertuples(index=False):
        if row.status != "ok":
            shown.add_row(row.conflict, "[red]failed[/]", *[""] * 7)
            continue
        flee = "" if row.flee_ard is None or row.flee_ard != row.flee_ard else f"{row.flee_ard:.3f}"
        shown.add_row(row.conflict, f"{int(row.days):,}", f"{int(row.agents):,}",
                      f"{row.ard:.3f}", f"{row.ard_rescaled:.3f}", flee,
                      f"{int(row.data_warnings)}", f"{row.cpu_us_per_agent_day:.3f}",
                      f"{row.peak_memory_mb:,.0f}")
    return shown


def report_table(report: dict) -> Table:
    """Per-camp errors and the run's ARD and costs, beside Flee's own figures."""
    reference = report["flee_reference"]["ard"]
    flee = ("n/a" if not reference else f"{reference[0]:.2f}" if reference[0] == reference[1]
            else f"{reference[0]:.2f}-{reference[1]:.2f}")
    table = Table(title=f"{report['conflict']}: {report['days']} days, {report['replicates']} "
                        f"replicate(s); ARD {report['ard']:.3f} (Flee {flee})",
                  header_style="bold")
    table.add_column("camp", no_wrap=True)
    for column in ("capacity", "observed mean", "simulated mean", "observed at end",
                   "simulated at end", "share of ARD"):
        table.add_column(column, justify="right")
    for camp, row in report["per_camp"].items():
        table.add_row(camp, f"{row['capacity']:,}", f"{row['mean_observed']:,.0f}",
                      f"{row['mean_simulated']:,.0f}", f"{row['final_observed']:,.0f}",
                      f"{row['final_simulated']:,.0f}", f"{row['ard_contribution']:.3f}")
    flee_cpu = report["flee_reference"]["cpu_us_per_agent_day"]
    table.caption = (f"run {report['run_seconds']:.1f} s, CPU {report['cpu_seconds']:.1f} s, "
                     f"{report['agents']:,} agents, {report['agent_days']:,.0f} agent-days, "
                     f"{report['cpu_us_per_agent_day']:.3f} µs CPU per agent-day "
                     f"(Flee {flee_cpu[0]:g}-{flee_cpu[1]:g})")
    return table
