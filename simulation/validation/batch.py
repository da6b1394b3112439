"""Validate many Flee-format conflicts at once and gather them in one summary table.

``prds validate DIR [DIR ...]`` (or a folder holding conflict folders) runs each conflict as
one task on any ``concurrent.futures.Executor`` - in this process, a local process pool or a
Dask cluster (``simulation.sweeps.executors.open_executor``, as sweeps do) - and writes:

- ``OUT/<conflict>/``: each conflict's own outputs (validation.json, camps.csv, plots);
- ``OUT/summary.csv`` and ``OUT/summary.md``: one row per conflict (:data:`SUMMARY_COLUMNS`).

A task carries its folder's path and the options, nothing else, and runs
``runner.validate_conflict`` where it lands, so a cluster's workers need this package and
the folders (a shared disk); the outputs are written by the worker. Rows are sorted as the
folders were given, so the table is the same whatever the executor or finishing order, but
for the measured columns (:data:`MEASURED_COLUMNS`). A conflict that cannot be read or run
is a row with ``status`` ``failed`` and its error; the others go on.

Flee's own ARD per conflict, where known, comes from a two-column CSV ``flee_ard.csv``
(``conflict,flee_ard``) beside the conflict folders, or from ``--flee-ard NAME=VALUE`` on
the command line (which wins).
"""

import csv
import json
import math
import resource
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from simulation.outputs import files

#: the file of Flee's ARD figures looked for beside the conflict folders
FLEE_ARD_FILE = "flee_ard.csv"
#: the summary table's columns, in order
SUMMARY_COLUMNS = ("conflict", "status", "days", "agents", "agents_max", "agent_days", "ard",
                   "ard_rescaled", "flee_ard", "data_warnings", "cpu_us_per_agent_day",
                   "run_seconds", "peak_memory_mb", "error")
#: columns that measure the machine, not the model: they differ from run to run
MEASURED_COLUMNS = ("cpu_us_per_agent_day", "run_seconds", "peak_memory_mb")
#: what each column means, written under the markdown table
COLUMN_NOTES = {
    "days": "days simulated",
    "agents": "persons alive at the end (one agent per person), mean over replicates",
    "agents_max": "the most persons alive at once",
    "agent_days": "the sum over days of the persons alive that day",
    "ard": "Flee's averaged relative difference of camp counts (lower is better), mean over "
           "replicates",
    "ard_rescaled": "Flee's rescaled ARD ('Error (rescaled)', the figure FabFlee's "
                    "vvp_validate_results returns): each day the simulated camp counts are "
                    "scaled to add up to the observed camp total, so it scores how arrivals are "
                    "spread over camps, not how many arrive (of the replicate-mean series)",
    "flee_ard": f"Flee's own ARD where given ({FLEE_ARD_FILE} beside the folders, or "
                "--flee-ard NAME=VALUE)",
    "data_warnings": "data quirks read as Flee reads them (listed in the conflict's "
                     "validation.json under data_warnings)",
    "cpu_us_per_agent_day": "process CPU time to build and run the model over agent-days, in "
                            "microseconds",
    "peak_memory_mb": "peak resident memory while the conflict was built and run "
                      "(validation.json's peak_memory_bytes, MiB); the local pool gives every "
                      "conflict a fresh process",
}


class BatchError(ValueError):
    """The folders or options of a batch cannot be used; the message says which and why."""


#: the file in OUT/<conflict>/ that records a finished task and its row (for --resume)
ROW_FILE = "summary_row.json"


@dataclass(frozen=True)
class ValidationTask:
    """One conflict to validate: plain data, so it pickles to any worker. ``options`` are
    ``runner.validate_conflict``'s keyword arguments (replicates, seed, parameters, strict,
    days...), paths as text."""

    directory: str
    out: str
    options: dict = field(default_factory=dict)

    def finished_row(self) -> dict | None:
        """The row written when this same task last finished in ``out``, or None."""
        path = Path(self.out) / ROW_FILE
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        same = saved.get("directory") == self.directory and saved.get("options") == self.options
        return saved.get("row") if same else None


def find_conflicts(paths: Iterable[str | Path]) -> list[Path]:
    """The conflict folders named by ``paths``: each a conflict folder (it holds input_csv/)
    or a folder of conflict folders (its subfolders that hold input_csv/, by name)."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if (path / "input_csv").is_dir():
            found.append(path)
        elif path.is_dir():
            inner = sorted(p for p in path.iterdir() if (p / "input_csv").is_dir())
            if not inner:
                raise BatchError(f"{path}: neither a conflict folder (no input_csv/) nor a "
                                 "folder of conflict folders")
            found.extend(inner)
        else:
            raise BatchError(f"{path}: folder not found")
    names: dict[str, Path] = {}
    for path in found:
        name = path.resolve().name
        if name in names and names[name].resolve() != path.resolve():
            raise BatchError(f"two conflicts are named {name!r} ({names[name]} and {path}); "
                             "their outputs would share OUT/<name>/: rename one")
        names[name] = path
    return list(dict.fromkeys(names.values()))


def read_flee_ard(path: str | Path) -> dict[str, float]:
    """Flee's ARD per conflict from a ``conflict,flee_ard`` CSV (a header row is optional)."""
    path = Path(path)
    table: dict[str, float] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.reader(handle), start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#") or cells[0].lower() == "conflict":
                continue
            if len(cells) < 2:
                raise BatchError(f"{path}, row {line}: expected 'conflict,flee_ard'")
            table[cells[0]] = _ard_value(cells[1], f"{path}, row {line}")
    return table


def parse_flee_ard(items: Sequence[str]) -> dict[str, float]:
    """``--flee-ard NAME=VALUE`` options as a mapping."""
    table: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BatchError(f"--flee-ard {item!r}: expected NAME=VALUE, e.g. mali2012=0.31")
        table[name.strip()] = _ard_value(value.strip(), f"--flee-ard {item!r}")
    return table


def _ard_value(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise BatchError(f"{where}: Flee's ARD {text!r} is not a number >= 0")
    return value


def flee_ard_for(conflicts: Sequence[Path], given: Sequence[str] = ()) -> dict[str, float]:
    """Flee's ARD of each conflict: ``flee_ard.csv`` beside the folders, then the command line."""
    table: dict[str, float] = {}
    for parent in dict.fromkeys(p.resolve().parent for p in conflicts):
        if (parent / FLEE_ARD_FILE).is_file():
            table.update(read_flee_ard(parent / FLEE_ARD_FILE))
    table.update(parse_flee_ard(given))
    return table


def run_validation_task(task: ValidationTask) -> dict:
    """Validate one conflict where the task lands; its summary row (``failed`` with the error
    when the conflict cannot be read or run)."""
    from simulation.scenario import ScenarioError
    from simulation.validation.flee_io import FleeFormatError
    from simulation.validation.runner import validate_conflict

    name = Path(task.directory).resolve().name
    try:
        report = validate_conflict(task.directory, out=task.out, **task.options)
    except (FleeFormatError, ScenarioError, ValueError, OSError) as error:
        return {"conflict": name, "status": "failed", "error": str(error)}
    row = {
        "conflict": name, "status": "ok", "days": report["days"], "agents": report["agents"],
        "agents_max": report["agents_max"], "agent_days": report["agent_days"],
        "ard": report["ard"], "ard_rescaled": report["ard_rescaled_of_mean_series"],
        "data_warnings": len(report.get("data_warnings", [])),
        "cpu_us_per_agent_day": report["cpu_us_per_agent_day"],
        "run_seconds": report["run_seconds"],
        "peak_memory_mb": (round(report["peak_memory_bytes"] / 2**20, 1)
                           if report.get("peak_memory_bytes") else _peak_memory_mb()),
        "error": "",
    }
    files.write_json(Path(task.out) / ROW_FILE, {"directory": task.directory,
                                                 "options": task.options, "row": row})
    return row


def _peak_memory_mb() -> float:
    """Peak resident set size of this process so far, in MiB (ru_maxrss: KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def validate_many(conflicts: Sequence[Path], out: str | Path, executor: Executor,
                  flee_ard: dict[str, float] | None = None,
                  progress: Callable[[int, int, dict], None] | None = None,
                  resume: bool = False, **options) -> pd.DataFrame:
    """Validate ``conflicts`` on ``executor``; write OUT/<conflict>/ and the summary table.

    ``options``: keyword arguments of ``validate_conflict`` (replicates, seed, parameters,
    strict, days...). ``progress(done, total, row)`` is called as each conflict ends.
    ``resume``: a conflict already finished in OUT with the same options is not run again.
    """
    out = Path(out)
    plain = {k: (str(v) if isinstance(v, Path) else v) for k, v in options.items()}
    tasks = [ValidationTask(directory=str(path), out=str(out / path.resolve().name),
                            options=plain) for path in conflicts]
    rows: list[dict | None] = [task.finished_row() if resume else None for task in tasks]
    resumed = sum(row is not None for row in rows)
    if progress is not None:
        for row in rows:
            if row is not None:
                progress(resumed, len(tasks), row)
    futures = {executor.submit(run_validation_task, task): i
               for i, task in enumerate(tasks) if rows[i] is None}
    for done, future in enumerate(as_completed(futures), start=resumed + 1):
        i = futures[future]
        try:
            rows[i] = future.result()
        except Exception as error:  # noqa: BLE001 - a worker lost: a failed row, the rest go on
            rows[i] = {"conflict": Path(tasks[i].directory).resolve().name,
                       "status": "failed", "error": f"{type(error).__name__}: {error}"}
        if progress is not None:
            progress(done, len(tasks), rows[i])
    table = summary_table(rows, flee_ard or {})
    write_summary(out, table, tasks[0] if tasks else None)
    return table


def summary_table(rows: Sequence[dict], flee_ard: dict[str, float]) -> pd.DataFrame:
    """Rows as a table with :data:`SUMMARY_COLUMNS`, Flee's ARD filled in where known."""
    table = pd.DataFrame([{**row, "flee_ard": flee_ard.get(row["conflict"])} for row in rows],
                         columns=list(SUMMARY_COLUMNS))
    table["error"] = table["error"].fillna("")
    return table


def write_summary(out: Path, table: pd.DataFrame, task: ValidationTask | None) -> list[Path]:
    """summary.csv (every column, full precision) and summary.md (rounded, with notes)."""
    written = [files.write_text(out / "summary.csv", table.to_csv(index=False))]
    header = "| " + " | ".join(SUMMARY_COLUMNS) + " |"
    lines = [header, "|" + "|".join("---" for _ in SUMMARY_COLUMNS) + "|"]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(name, getattr(row, name))
                                       for name in SUMMARY_COLUMNS) + " |")
    notes = [f"- `{name}`: {text}" for name, text in COLUMN_NOTES.items()]
    run = task.options if task else {}
    settings = (f"{run.get('replicates')} replicate(s) from seed {run.get('seed')}, "
                f"{'strict' if run.get('strict') else 'data quirks read as Flee reads them'}, "
                + (f"the first {run['days']} days" if run.get("days") else "the whole period")
                + f", {run.get('hasten') or 1} person(s) per agent (hasten)")
    text = "\n".join([f"# Validation of {len(table)} conflict(s)", "",
                      f"Run with {settings}; each conflict's outputs are in its own folder.",
                      "", *lines, "", *notes, ""])
    written.append(files.write_text(out / "summary.md", text))
    return written


def _cell(name: str, value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if name in ("ard", "ard_rescaled", "flee_ard"):
        return f"{value:.3f}"
    if name == "cpu_us_per_agent_day":
        return f"{value:.3f}"
    if name in ("agents", "agents_max", "agent_days", "days", "data_warnings"):
        return f"{int(value):,}"
    if name in ("run_seconds", "peak_memory_mb"):
        return f"{value:,.1f}"
    return str(value).replace("|", "\\|").replace("\n", " ")
