"""``prds import-flee`` and ``prds validate``: real conflicts in Flee's format (issue 6)."""

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from simulation.scenario import ScenarioError

console = Console()
errors = Console(stderr=True)


def _fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def import_flee_command(
    directory: Path = typer.Argument(..., help="a Flee-format conflict directory "
                                     "(input_csv/ and source_data/)"),
    out: Path = typer.Option(..., "--out", help="scenario YAML to write"),
    parameters: Path = typer.Option(None, "--parameters", help="validation settings YAML "
                                    "(default: scenarios/flee/validation_parameters.yaml)"),
) -> None:
    """Import a Flee-format conflict as a scenario YAML you can edit and `prds run`."""
    from simulation.scenario import load_scenario
    from simulation.validation.convert import load_validation_parameters, write_flee_scenario
    from simulation.validation.flee_io import FleeFormatError, read_flee_conflict

    try:
        conflict = read_flee_conflict(directory)
        settings = load_validation_parameters(parameters)
        written = write_flee_scenario(conflict, out, settings)
        scenario = load_scenario(written)
    except (FleeFormatError, ScenarioError, OSError, ValueError) as error:
        _fail(str(error))
    arrivals = sum(scenario.arrivals[0].counts) if scenario.arrivals else 0
    console.print(f"wrote [bold]{written}[/]: {len(scenario.graph.nodes)} nodes, "
                  f"{len(scenario.graph.edges)} edges, {scenario.steps} daily steps, "
                  f"{sum(p.households for p in scenario.populations):,} persons in camps at "
                  f"the start, {arrivals:,} arriving; conflicts from "
                  f"{conflict.conflict_source}", highlight=False)


def validate_command(
    directory: Path = typer.Argument(..., help="a Flee-format conflict directory"),
    out: Path = typer.Option(None, "--out", help="output folder (default: out/validate/<name>)"),
    replicates: int = typer.Option(1, "--replicates", min=1, help="runs with seeds seed, seed+1, ..."),
    seed: int = typer.Option(0, "--seed", min=0, help="seed of the first replicate"),
    parameters: Path = typer.Option(None, "--parameters", help="validation settings YAML "
                                    "(default: scenarios/flee/validation_parameters.yaml)"),
) -> None:
    """Run a Flee-format conflict and compare arrivals per camp with the UNHCR counts (ARD)."""
    from simulation.validation.flee_io import FleeFormatError
    from simulation.validation.runner import validate_conflict

    out = out or Path("out") / "validate" / Path(directory).resolve().name
    try:
        with console.status(f"running {Path(directory).name}...") as status:
            report = validate_conflict(
                directory, out=out, replicates=replicates, seed=seed, parameters=parameters,
                progress=lambda k: status.update(f"ran replicate {k} of {replicates}..."))
    except (FleeFormatError, ScenarioError, OSError, ValueError) as error:
        _fail(str(error))
    console.print(report_table(report))
    console.print(f"wrote validation.json, camps.csv, camps.png and error.png to [bold]{out}[/]",
                  highlight=False)


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
