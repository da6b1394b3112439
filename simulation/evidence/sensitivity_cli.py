"""``prds sensitivity``: which assumptions move the evidence (a Morris screening), resumably.

The sweep and SALib machinery is imported when the command runs, so ``prds --help`` stays
quick. Each session (start, end, runs run, load average) is appended to ``sessions.json``
in the output folder, so the page's header states the whole run's time even after a
``--resume``.
"""

import os
import platform
import shlex
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from simulation.sweeps.cli import (
    _duration,
    _fail,
    _interrupt,
    dask_option,
    refuse_workers_with_cluster,
    workers_option,
)

console = Console()
errors = Console(stderr=True)

SESSIONS = "sessions.json"


def sensitivity_command(
    trajectories: int = typer.Option(10, "--trajectories", "-r",
                                     help="Morris trajectories (at least 2); points = "
                                          "trajectories x (parameters + 1)"),
    replicates: int = typer.Option(1, "--replicates", "-n", min=1,
                                   help="paired replicates per point (seeds shared by all points)"),
    seed: int = typer.Option(0, "--seed", min=0, help="root of the replicate seeds"),
    only: list[str] = typer.Option(None, "--only", help="entry id (repeatable; default: all)"),
    parameter: list[str] = typer.Option(None, "--parameter",
                                        help="parameter to screen (repeatable; default: every "
                                             "parameter whose source is an assumption)"),
    workers: int = workers_option(),
    dask: str = dask_option(),
    resume: bool = typer.Option(False, "--resume",
                                help="continue the screening in --out: runs already written "
                                     "are kept (failed ones run again)"),
    out: Path = typer.Option(Path("out/sensitivity"), "--out", help="output folder"),
    docs: Path = typer.Option(None, "--docs", help="also write the Markdown page here "
                              "(docs/sensitivity.md for the bundled one)"),
    library: Path = typer.Option(None, "--library", help="folder of entries (default: "
                                 "scenarios/evidence)"),
) -> None:
    """Screen the assumptions: a Morris design over every parameter whose source is an
    assumption (declared ranges), each point running every evidence entry as prds evidence
    does; write sensitivity.json, sensitivity.csv and sensitivity.md (one row per parameter:
    kind of source and influence, in tolerance bands).
    """
    from simulation.evidence import EvidenceError, load_library
    from simulation.evidence import sensitivity_report as report
    from simulation.evidence.sensitivity import (
        SensitivityError,
        analyse,
        run_screening,
        screening_sweep,
        seed_spread,
    )
    from simulation.outputs import files
    from simulation.scenario import ScenarioError
    from simulation.sweeps.design import build_design
    from simulation.sweeps.executors import ClusterError, open_executor
    from simulation.sweeps.spec import SweepError

    try:
        entries = load_library(library, only=only or None)
        sweep = screening_sweep(entries, parameters=parameter or None, trajectories=trajectories,
                                replicates=replicates, seed=seed)
        design = build_design(sweep)
    except (EvidenceError, ScenarioError, SensitivityError, SweepError) as error:
        _fail(str(error))
    refuse_workers_with_cluster(workers, dask, "the screening")
    where = (f"the Dask cluster at {dask}" if dask and dask != "local" else
             f"a Dask LocalCluster of {workers or os.cpu_count()} workers" if dask else
             f"{workers or os.cpu_count()} local process(es)")
    console.print(f"screening {len(sweep.parameters)} parameters on {len(entries)} entries: "
                  f"{len(design.points)} points x {replicates} replicate(s) = "
                  f"[bold]{len(design.runs)} runs[/] on {where}", highlight=False)
    session = {"started": _now(), "load_start": _load(), "where": where}
    started = time.perf_counter()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("runs  {task.fields[rate]}  {task.fields[failed]}"),
               TimeElapsedColumn(), TextColumn("left {task.fields[eta]}"))
    try:
        with open_executor(workers, dask) as executor, Progress(*columns, console=console) as bar:
            task = bar.add_task("sensitivity", total=len(design.runs), rate="", failed="", eta="?")

            def show(state):
                eta = state.remaining_seconds
                bar.update(task, completed=state.done, rate=f"{state.rate:.2f}/s",
                           failed=f"[red]{state.failed} failed[/]" if state.failed else "",
                           eta=_duration(eta) if eta is not None else "?")

            done = run_screening(sweep, entries, out, executor, resume=resume, progress=show)
            bar.update(task, description="seed spread at the defaults")
            spread = seed_spread(entries, seed=seed, executor=executor)
    except SweepError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _fail(f"interrupted; every finished run is in {out} - continue with --resume", 130)
    except ClusterError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"{error.strerror or error}: {error.filename or out}")
    finally:
        signal.signal(signal.SIGTERM, previous)
    session.update(finished=_now(), load_end=_load(), ran=done.ran,
                   seconds=round(time.perf_counter() - started, 1))
    sessions = _sessions(out, session, resume, files)
    screening = analyse(sweep, entries, done.design, done.results)
    screening.spread = spread
    command = _command(trajectories, replicates, seed, only, parameter, library, docs)
    meta = {"command": command, "date": next((s["started"] for s in sessions if s.get("ran")), sessions[0]["started"]),
            "machine": _machine(), "timing": _timing(sessions, len(design.runs)),
            "sessions": sessions, "trajectories": trajectories, "replicates": replicates,
            "seed": seed, "levels": sweep.design.levels, "points": len(design.points),
            "runs": len(design.runs),
            "failed": int((done.results["status"] != "ok").sum()),
            "parameters": sweep.parameters, "entries": list(sweep.outcomes),
            "all_assumptions": not parameter, "all_entries": not only}
    written = report.write(out, screening, sweep, entries, meta, docs=docs)
    console.print(influence_table(screening))
    for note in screening.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(f"{done.ran} runs run, {done.skipped} already written, {meta['failed']} "
                  f"failed; wrote " + ", ".join(str(p) for p in written), highlight=False)


def influence_table(screening) -> Table:
    """The screened parameters, most influential first."""
    table = Table(title="influence: mu* in tolerance bands per whole declared range (± 95%)",
                  header_style="bold")
    for column in ("rank", "parameter", "influence", "most moved entry"):
        table.add_column(column, justify="right" if column in ("rank", "influence") else "left")
    for row in screening.influence().to_dict("records"):
        table.add_row(str(row["rank"]), row["parameter"],
                      f"{row['influence']:.3g} ± {row['influence_conf']:.2g}", row["entry"])
    return table


def _command(trajectories, replicates, seed, only, parameter, library, docs) -> str:
    """The command that makes the same screening (worker and output options left out)."""
    words = ["prds", "sensitivity", "--trajectories", str(trajectories), "--replicates",
             str(replicates), "--seed", str(seed)]
    for entry in only or []:
        words += ["--only", entry]
    for name in parameter or []:
        words += ["--parameter", name]
    if library is not None:
        words += ["--library", str(library)]
    if docs is not None:
        words += ["--docs", str(docs)]
    return shlex.join(words)


def _sessions(out: Path, session: dict, resume: bool, files) -> list[dict]:
    """Append this session to ``sessions.json`` (a fresh run starts the list)."""
    import json

    path = out / SESSIONS
    before = json.loads(path.read_text(encoding="utf-8")) if resume and path.exists() else []
    sessions = [*before, session]
    files.write_json(path, sessions)
    return sessions


def _timing(sessions: list[dict], runs: int) -> str:
    """The run's time over the sessions that ran something (a ``--resume`` of a finished
    screening only writes the page again)."""
    worked = [s for s in sessions if s.get("ran")] or sessions[-1:]
    seconds = sum(s.get("seconds") or 0 for s in worked)
    loads = [s[key] for s in worked for key in ("load_start", "load_end") if s.get(key)]
    load = f", load average {min(loads):.1f}-{max(loads):.1f}" if loads else ""
    parts = f" in {len(worked)} sessions" if len(worked) > 1 else ""
    where = "; ".join(sorted({s["where"] for s in worked}))
    return f"{runs} runs, {seconds / 60:.0f} min{parts} on {where}{load}"


def _machine() -> str:
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - not on every platform
        return None


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
