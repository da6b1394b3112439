"""The ``prds`` command line (DESIGN.md section 7). Each command has ``--help``."""

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from benchmarks.cli import bench_command
from simulation.app.command import app_command
from simulation.baseline import baseline_command
from simulation.build.cli import build_command
from simulation.compare.cli import compare_command
from simulation.evidence.calibrate_cli import calibrate_command
from simulation.evidence.cli import evidence_command
from simulation.evidence.sensitivity_cli import sensitivity_command
from simulation.optimise.cli import optimise_command
from simulation.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario
from simulation.sweeps.cli import _fail, sweep_command
from simulation.validation.commands import import_flee_command, validate_command

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="prds-sim: displacement, coping and mobility under interventions (IOM PRDS).")
console = Console()


@app.callback()
def main_callback() -> None:
    """prds-sim: displacement, coping and mobility under interventions (IOM PRDS)."""


@app.command()
def run(
    scenario: Path = typer.Argument(None, help="scenario YAML (default: scenarios/default.yaml)"),
    out: Path = typer.Option(None, "--out", help="output folder (default: out/<scenario name>)"),
    seed: int = typer.Option(None, "--seed", min=0, help="run seed (default: the scenario's)"),
    steps: int = typer.Option(None, "--steps", min=1, help="number of steps (default: the scenario's)"),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="write PNG plots"),
) -> None:
    """Run one scenario; write timeseries.parquet, summary.json and plots; print a summary."""
    from simulation.api import run as run_scenario
    from simulation.phases import plan_for

    path = scenario or DEFAULT_SCENARIO
    try:
        spec = load_scenario(path)
    except ScenarioError as error:
        _fail(str(error))
    if plots and spec.map is not None and spec.map.boundaries is not None:  # fail now, not
        # after the run, on a bad boundaries file
        from simulation.outputs.maps import MapError, read_units

        try:
            read_units(spec.map)
        except MapError as error:
            _fail(f"{path}: map: {error}")
    total = steps or spec.steps
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("steps"), TimeRemainingColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task(f"running {spec.name}", total=total)
        # the files are written from the household store: no Mesa agent views needed (they
        # cost ~240 B and a few µs per household: 0.9 GB and 17 s on syria2013's 3.8 million)
        results = run_scenario(spec, seed=seed, steps=steps, with_agents=False,
                               progress=lambda step: bar.update(task, completed=step))
    out = out or Path("out") / spec.name
    written = results.write(out, with_plots=plots)
    console.print(summary_table(results.summary, title=f"{spec.name} (seed {results.seed}, "
                                                      f"{total} steps)",
                                not_modelled=results.not_modelled))
    if results.not_modelled:
        phases = ", ".join(name for name, _ in plan_for(spec))
        console.print(f"this scenario runs only {phases}: the outcomes marked 'not modelled' "
                      "need the other phases; counts by node and status are in "
                      "timeseries.parquet", highlight=False)
    if plots:
        from simulation.outputs.maps import map_problem

        if map_problem(spec):
            console.print(map_problem(spec), highlight=False)
    console.print(f"wrote {len(written)} files to [bold]{out}[/]: "
                  + ", ".join(p.name for p in written), highlight=False)


def summary_table(summary: dict, title: str, not_modelled=()) -> Table:
    """The summary as a table; outcomes the run's phases cannot produce say "not modelled"."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("outcome")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if key in not_modelled:
            text = "[dim]not modelled[/]"
        elif isinstance(value, float) and (key.endswith("share") or key in _STATUS_SHARES):
            text = f"{value:.1%}"
        elif isinstance(value, float):
            text = f"{value:,.2f}"
        else:
            text = f"{value:,}"
        table.add_row(key, text)
    return table


_STATUS_SHARES = {"returned", "locally_integrated", "settled_elsewhere", "regular_migration",
                  "irregular_migration", "redisplaced"}

app.command("sweep")(sweep_command)
app.command("app")(app_command)
app.command("baseline")(baseline_command)
app.command("compare")(compare_command)
app.command("evidence")(evidence_command)
app.command("calibrate")(calibrate_command)
app.command("sensitivity")(sensitivity_command)
app.command("optimise")(optimise_command)
app.command("bench")(bench_command)
app.command("import-flee")(import_flee_command)
app.command("validate")(validate_command)
app.command("build")(build_command)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
