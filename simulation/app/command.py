"""``prds app [SCENARIO] [--port N]``: start the workshop app's Solara server on this machine."""

import os
import sys
from pathlib import Path

import typer

from simulation.scenario import ScenarioError, load_scenario


def server_command(port: int, host: str = "localhost") -> list[str]:
    """The command line that serves the app (Solara in production mode, no browser opened)."""
    return [sys.executable, "-m", "solara", "run", "simulation.app.page", "--host", host,
            "--port", str(port), "--production", "--no-open", "--no-check-version"]


def server_environment(scenario: Path | None) -> dict[str, str]:
    """The server's environment: the scenario to offer first, and no telemetry.

    Solara reports usage to an outside service by default; a workshop venue may have no
    internet and participants' data should stay on the machine, so it is turned off.
    """
    env = dict(os.environ)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.pop("PRDS_APP_SCENARIO", None)
    if scenario is not None:
        env["PRDS_APP_SCENARIO"] = str(Path(scenario).resolve())
    return env


def app_command(
    scenario: Path = typer.Argument(None, help="scenario YAML offered first (default: the "
                                    "bundled scenarios, scenarios/*.yaml)"),
    port: int = typer.Option(8765, "--port", min=0, max=65535, help="port on localhost"),
) -> None:
    """Start the workshop app (Mesa SolaraViz) at http://localhost:PORT; Ctrl-C stops it."""
    if scenario is not None:
        try:
            load_scenario(scenario)
        except ScenarioError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
    typer.echo(f"prds app: http://localhost:{port}  (Ctrl-C to stop)", err=True)
    command = server_command(port)
    # replace this process by the server: Ctrl-C and a terminating signal reach it directly,
    # and no server is left running when whoever started `prds app` stops it
    os.execve(command[0], command, server_environment(scenario))
