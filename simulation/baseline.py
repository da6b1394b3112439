"""The regression baseline: stored summaries of the bundled scenarios at fixed seeds (issue 9).

For every bundled scenario (``scenarios/**/*.yaml`` with a graph once ``extends`` resolves)
and each seed in ``SEEDS``, the first ``STEPS`` steps are run and stored: the summary at
every step, the intervention reports, and the households per node and status at the last
step. ``tests/reliability/test_regression_baseline.py`` reruns them and fails on any
difference, so behaviour cannot change without someone regenerating the file on purpose:

    prds baseline            # compare, list what changed (exit 1 if anything did)
    prds baseline --update   # rewrite tests/baselines/summaries.json from this code

Numbers are compared with a relative tolerance of 1e-9 (noise from a different summation
order in another NumPy build, not a change of behaviour); counts exactly.
"""

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import typer

from simulation.outputs import files
from simulation.scenario import SCENARIOS_DIR, load_raw, load_scenario

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "tests" / "baselines" / "summaries.json"
#: fixed run seeds and the number of steps stored (a year of months: fast, past the start-up)
SEEDS = (1, 2)
STEPS = 12
RTOL = 1e-9
FORMAT = 1


def bundled_scenarios(folder: Path = SCENARIOS_DIR) -> list[Path]:
    """Every YAML under ``folder`` that is a scenario (sweep files and parameter sets are not).

    A file that fails to load is included, so that the baseline reports it rather than
    skipping it silently.
    """
    found = []
    for path in sorted(folder.rglob("*.yaml")):
        try:
            data, _ = load_raw(path)
        except Exception:
            found.append(path)
            continue
        if "graph" in data:
            found.append(path)
    return found


def entry(path: Path, seed: int, steps: int = STEPS) -> dict[str, Any]:
    """What the baseline stores for one scenario and seed."""
    from simulation.api import run

    scenario = load_scenario(path)
    results = run(scenario, seed=seed, steps=min(steps, scenario.steps), with_agents=False)
    model = results.model
    counts = np.zeros((model.graph.n_nodes, int(model.households.status.max(initial=0)) + 1),
                      dtype=np.int64)
    np.add.at(counts, (model.households.node, model.households.status), 1)
    where = {f"{model.graph.names[i]}/{_status(j)}": int(counts[i, j])
             for i, j in zip(*np.nonzero(counts), strict=True)}
    return {
        "steps": int(model.steps),
        "metrics": [{k: getattr(v, "item", lambda v=v: v)() for k, v in summary.items()}
                    for summary in model.recorder.summaries],
        "interventions": results.interventions,
        "households_at_last_step": where,
    }


def _status(code: int) -> str:
    from simulation.codes import Status

    return Status(code).name.lower()


def compute(paths: list[Path] | None = None) -> dict[str, Any]:
    """The baseline document for ``paths`` (default: every bundled scenario)."""
    paths = bundled_scenarios() if paths is None else paths
    scenarios = {}
    for path in paths:
        key = _key(path)
        scenarios[key] = {str(seed): entry(path, seed) for seed in SEEDS}
    return {"format": FORMAT, "seeds": list(SEEDS), "steps": STEPS,
            "regenerate": "prds baseline --update", "scenarios": scenarios}


def _key(path: Path) -> str:
    path = Path(path).resolve()
    try:
        return path.relative_to(SCENARIOS_DIR).as_posix()
    except ValueError:
        return str(path)


def differences(stored: Any, fresh: Any, where: str = "") -> list[str]:
    """Every place where ``fresh`` differs from ``stored`` (numbers within ``RTOL``)."""
    if isinstance(stored, dict) and isinstance(fresh, dict):
        out = [f"{where}/{k}: missing now" for k in stored if k not in fresh]
        out += [f"{where}/{k}: new (not in the baseline)" for k in fresh if k not in stored]
        for k in stored:
            if k in fresh:
                out += differences(stored[k], fresh[k], f"{where}/{k}")
        return out
    if isinstance(stored, list) and isinstance(fresh, list):
        if len(stored) != len(fresh):
            return [f"{where}: {len(stored)} items stored, {len(fresh)} now"]
        out = []
        for i, (a, b) in enumerate(zip(stored, fresh, strict=True)):
            out += differences(a, b, f"{where}[{i}]")
        return out
    numbers = (int, float)
    if isinstance(stored, numbers) and isinstance(fresh, numbers) and not isinstance(stored, bool):
        if isinstance(stored, int) and isinstance(fresh, int):
            same = stored == fresh
        else:
            same = math.isclose(stored, fresh, rel_tol=RTOL, abs_tol=1e-12)
        return [] if same else [f"{where}: {stored!r} stored, {fresh!r} now"]
    return [] if stored == fresh else [f"{where}: {stored!r} stored, {fresh!r} now"]


def read(path: Path = BASELINE) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(document: dict[str, Any], path: Path = BASELINE) -> Path:
    return files.write_json(path, document)


def baseline_command(
    update: bool = typer.Option(False, "--update", help="rewrite the baseline from this code"),
    path: Path = typer.Option(BASELINE, "--path", help="baseline file"),
    only: list[str] = typer.Option(None, "--only", help="scenario path under scenarios/ "
                                   "(repeatable; default: every bundled scenario)"),
) -> None:
    """Compare the bundled scenarios with the stored regression baseline, or --update it."""
    paths = [SCENARIOS_DIR / name for name in only] if only else None
    fresh = compute(paths)
    if update:
        if only and Path(path).exists():
            document = read(path)
            document["scenarios"].update(fresh["scenarios"])
            fresh = document
        write(fresh, path)
        typer.echo(f"wrote {path}: {len(fresh['scenarios'])} scenarios x seeds "
                   f"{list(SEEDS)}, {STEPS} steps")
        return
    stored = read(path)
    if only:
        stored = {**stored, "scenarios": {k: v for k, v in stored["scenarios"].items()
                                          if k in fresh["scenarios"]}}
    changed = differences(stored, fresh)
    if changed:
        shown = "\n  ".join(changed[:40]) + (f"\n  ... {len(changed) - 40} more" if len(changed) > 40 else "")
        typer.echo(f"behaviour differs from {path}:\n  {shown}\nif intended, regenerate it: "
                   "prds baseline --update", err=True)
        raise typer.Exit(1)
    typer.echo(f"{len(fresh['scenarios'])} scenarios match {path}")


if __name__ == "__main__":  # pragma: no cover - python -m simulation.baseline [--update]
    typer.run(baseline_command)
