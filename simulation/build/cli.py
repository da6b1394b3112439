"""``prds build RECIPE --out SCENARIO.yaml``: a scenario and its provenance from local files."""

from pathlib import Path

import typer
from rich.console import Console

from simulation.scenario.loader import InputError
from simulation.sweeps.cli import _fail

console = Console()


def build_command(
    recipe: Path = typer.Argument(..., help="build recipe YAML (README: 'Your own context')"),
    out: Path = typer.Option(None, "--out", help="scenario YAML to write (default: "
                             "<recipe folder>/<recipe name>.yaml); <stem>.provenance.json "
                             "is written beside it"),
) -> None:
    """Build a scenario from COD boundaries and population, DTM, ACLED, WFP prices and sites."""
    from simulation.build import build, load_recipe
    from simulation.build.provenance import provenance_path

    try:
        spec = load_recipe(recipe)
        target = out or spec.folder / f"{spec.name}.yaml"
        built = build(spec, target)
    except InputError as error:
        _fail(str(error))
    data, record = built.data, built.provenance
    kinds: dict[str, int] = {}
    for node in data["graph"]["nodes"]:
        kinds[node["type"]] = kinds.get(node["type"], 0) + 1
    households = sum(p["households"] for p in data["populations"])
    console.print(f"[bold]{data['name']}[/]: {len(data['graph']['nodes'])} nodes ("
                  + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
                  + f"), {len(data['graph']['edges'])} edges, {households:,} households "
                  f"in {len(data['populations'])} populations", highlight=False)
    if record["warnings"]:
        console.print("data quirks handled (each counted in the provenance's warnings):")
        for w in record["warnings"]:
            column = f", column {w['column']}" if w["column"] else ""
            console.print(f"  {Path(w['file']).name}{column}: {w['what']} -> {w['done']} "
                          f"({w['count']})", highlight=False, soft_wrap=True)
    console.print(f"{len(record['assumptions'])} assumptions (values no file gives) are "
                  f"listed in the provenance", highlight=False)
    console.print(f"wrote [bold]{target}[/] and [bold]{provenance_path(target)}[/]",
                  highlight=False)
