"""What an optimisation writes: its tables, its report, and its mixes as scenario files.

Into the output folder (every file atomically, ``simulation.outputs.files``)::

    evaluations.parquet   one row per candidate (columns: README "The best mix for a budget")
    pareto.parquet        the non-dominated feasible rows, same columns
    optimise.html         the report (plots embedded), its plots also as PNG
    optimise.json         the file as run, seeds, sample, hypervolume, chosen mixes
    scenarios/            base.yaml, mix-1.yaml ... (the chosen mixes), <programme>-alone.yaml
                          (the corners), even.yaml: ready for ``prds compare``
    generations/          every run, as written during the search (``--resume`` reads it)

The scenario files extend ``scenarios/base.yaml``, which extends the base scenario and sets
its ``seed`` to the optimisation's root seed: ``prds compare`` takes its root seed from the
first file, so ``prds compare scenarios/base.yaml scenarios/mix-1.yaml ... --replicates R``
runs every mix on the optimiser's R paired seeds and, without uncertainties, gives its
numbers exactly. With uncertainties, ``prds compare`` runs the base scenario's parameter
values (one world), not the sample.
"""

import os
from pathlib import Path

import yaml

from simulation.optimise.search import OptimisationResult
from simulation.outputs import files

#: files written into ``scenarios/`` for the comparison (and the command that runs it)
BASE_FILE = "base.yaml"


def write_outputs(result: OptimisationResult, report: bool = True) -> list[Path]:
    """Write every output of ``result`` into its folder (see the module docstring)."""
    out = result.out_dir
    written = [files.write_parquet(out / "evaluations.parquet", result.evaluations),
               files.write_parquet(out / "pareto.parquet", result.pareto)]
    scenario_files = write_scenarios(result, out / "scenarios")
    written += scenario_files
    document = _document(result, scenario_files)
    written.append(files.write_json(out / "optimise.json", document))
    if report:
        from simulation.optimise.report import write_report

        written += write_report(result, out, document)
    return written


def write_scenarios(result: OptimisationResult, folder: Path) -> list[Path]:
    """``base.yaml``, the chosen mixes, the corners and the even split as scenario files."""
    problem = result.problem
    folder.mkdir(parents=True, exist_ok=True)
    if problem.scenario_file is not None:
        base = {"extends": os.path.relpath(Path(problem.scenario_file).resolve(),
                                           folder.resolve()),
                "seed": problem.root_seed}
        if problem.steps is not None:
            base["steps"] = problem.steps
    else:
        base = {**problem.scenario_data(), "seed": problem.root_seed}
    head = (f"# Written by prds optimise ({problem.name}): the base scenario every candidate "
            f"ran on,\n# its seed the root of the {problem.replicates} paired replicate seeds "
            f"(prds compare takes it from the first file).\n")
    written = [_write_yaml(folder / BASE_FILE, head, base)]
    for file_name, row in named_rows(result):
        mix = result.mixes[int(row["candidate"])]
        text = ", ".join(f"{n} {mix.shares[n]:.0%}" for n in result.portfolio.names
                         if mix.budgets[n] > 0)
        numbers = "; ".join(f"{key} {row[f'{key}_median']:.4g}" for key in problem.objectives)
        head = (f"# Written by prds optimise ({problem.name}): candidate {int(row['candidate'])}"
                f" ({row['kind']}, generation {int(row['generation']) + 1}).\n# Budget USD "
                f"{result.portfolio.budget:,.0f}: {text}.\n# Median over its runs: {numbers}; "
                f"cost USD {row['cost']:,.0f}.\n")
        data = {"extends": BASE_FILE, "name": Path(file_name).stem,
                "description": f"{problem.name}: {text} of USD {result.portfolio.budget:,.0f}",
                "interventions": mix.interventions}
        written.append(_write_yaml(folder / file_name, head, data))
    return written


def named_rows(result: OptimisationResult) -> list[tuple[str, dict]]:
    """(file name, evaluations row) of each mix written: chosen mixes, corners, even split."""
    frame = result.evaluations
    out = [(f"mix-{int(row['chosen'])}.yaml", row) for row in result.chosen.to_dict("records")]
    for row in frame[frame["kind"] == "corner"].to_dict("records"):
        out.append((f"{row['label'].removesuffix(' alone')}-alone.yaml", row))
    out += [("even.yaml", row) for row in frame[frame["kind"] == "even"].to_dict("records")]
    return out


def compare_command(result: OptimisationResult, folder: str | Path) -> str:
    """The ``prds compare`` command that runs the written scenarios on the same seeds."""
    folder = Path(folder)
    names = [BASE_FILE] + [name for name, _ in named_rows(result)]
    return ("prds compare " + " ".join(str(folder / name) for name in names)
            + f" --replicates {result.problem.replicates}")


def _write_yaml(path: Path, head: str, data: dict) -> Path:
    text = head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return files.write_text(path, text)


def _document(result: OptimisationResult, scenario_files: list[Path]) -> dict:
    path = result.out_dir / "optimise.json"
    import json

    document = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    frame = result.evaluations
    document.update({
        "candidates": len(frame), "unique_mixes": int(frame["mix"].nunique()),
        "runs_per_candidate": len(result.seeds) * len(result.samples),
        "ran": result.ran, "read_back": result.skipped,
        "all_within_budget": bool(frame["within_budget"].all()),
        "hypervolume": result.hypervolume.to_dict("records"),
        "chosen": [{"file": f"scenarios/mix-{int(r['chosen'])}.yaml",
                    "candidate": int(r["candidate"]), "beats_corners": bool(r["beats_corners"])}
                   for r in result.chosen.to_dict("records")],
        "scenario_files": [str(p.relative_to(result.out_dir)) for p in scenario_files],
        "compare_command": compare_command(result, result.out_dir / "scenarios"),
    })
    return document
