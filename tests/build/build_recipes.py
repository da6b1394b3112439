"""Recipes for the build tests: the shipped CAF example, changed and written to a folder."""

from pathlib import Path

import yaml
from conftest import REPO, SHARED

EXAMPLE = REPO / "scenarios" / "build" / "car-2024.recipe.yaml"
FIXTURES = REPO / "scenarios" / "build" / "car-2024"
CAF = SHARED / "data" / "cod" / "caf"
SOURCES = ("boundaries", "population", "displacement", "conflict", "prices", "sites")


def recipe_data(**changes) -> dict:
    """The example recipe with absolute paths; keyword arguments replace top-level keys."""
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for key in SOURCES:
        value = data.get(key)
        if isinstance(value, str):
            data[key] = str((EXAMPLE.parent / value).resolve())
        elif isinstance(value, dict):
            data[key] = {**value, "file": str((EXAMPLE.parent / value["file"]).resolve())}
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def write_recipe(folder: Path, **changes) -> Path:
    path = folder / "test.recipe.yaml"
    path.write_text(yaml.safe_dump(recipe_data(**changes), sort_keys=False), encoding="utf-8")
    return path


def copy_with(folder: Path, source: Path, edit, name: str | None = None) -> Path:
    """A copy of a text fixture with ``edit(lines) -> lines`` applied."""
    lines = source.read_text(encoding="utf-8").splitlines()
    out = folder / (name or source.name)
    out.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return out
