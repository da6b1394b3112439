"""Load scenario YAML files: ``extends:``, overrides, and errors that point at the line.

Every problem in a scenario file is reported as a :class:`ScenarioError` naming the file, the
key path (``graph.nodes[2].threat``) and the line, with the nearest valid key for a typo.
Nothing runs on a bad file: validation happens before any model is built.
"""

import copy
import difflib
import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulation.scenario.schema import Scenario

PathKey = tuple[str | int, ...]


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` lists (file, line, key path, message)."""

    def __init__(self, problems: list[tuple[str, int | None, str, str]]):
        self.problems = problems
        lines = []
        for file, line, key, message in problems:
            where = f"{file}:{line}" if line else file
            lines.append(f"{where}: {key}: {message}" if key else f"{where}: {message}")
        super().__init__("invalid scenario\n  " + "\n  ".join(lines))


# --- YAML with line numbers ----------------------------------------------------------------------
def _read_yaml(path: Path) -> tuple[Any, dict[PathKey, tuple[str, int]]]:
    """Parse a YAML file; return the data and a map from key path to (file, line)."""
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError([(file, None, "", "file not found")]) from None
    except UnicodeDecodeError as error:
        raise ScenarioError([(file, None, "", f"not UTF-8 text ({error.reason} at byte "
                                                f"{error.start}); save the file as UTF-8")]) from None
    except OSError as error:
        raise ScenarioError([(file, None, "", f"cannot read: {error.strerror}")]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError([(file, line, "", f"not valid YAML: {problem}")]) from None
    lines: dict[PathKey, tuple[str, int]] = {}
    if root is not None:
        _walk(root, (), file, lines)
    return data, lines


def _walk(node, path: PathKey, file: str, lines: dict) -> None:
    lines[path] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise ScenarioError([(file, key_node.start_mark.line + 1, _format(path + (key,)),
                                      "key given twice")])
            seen.add(key)
            lines[path + (key,)] = (file, key_node.start_mark.line + 1)
            _walk(value_node, path + (key,), file, lines)
            lines[path + (key,)] = (file, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), file, lines)


def _format(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- extends and overrides -----------------------------------------------------------------------
def _merge(base: Any, child: Any) -> Any:
    """Child values win; mappings merge key by key; lists are replaced whole."""
    if isinstance(base, dict) and isinstance(child, dict):
        out = dict(base)
        for key, value in child.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    return child


def load_raw(path: str | Path, _chain: tuple[Path, ...] = ()) -> tuple[dict, dict]:
    """The scenario's data with every ``extends:`` resolved, and its line map."""
    path = Path(path)
    resolved = path.resolve()
    if resolved in _chain:
        cycle = " -> ".join(str(p) for p in (*_chain, resolved))
        raise ScenarioError([(str(path), None, "extends", f"extends itself in a cycle: {cycle}")])
    data, lines = _read_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError([(str(path), 1, "", "a scenario file must be a mapping of keys "
                                                 "(name, steps, graph, populations, ...)")])
    if "extends" in data:
        base_name = data.pop("extends")
        if not isinstance(base_name, str):
            raise ScenarioError([(str(path), lines.get(("extends",), (None, None))[1], "extends",
                                  "must be the path of a base scenario file")])
        base_path = (path.parent / base_name)
        if not base_path.exists():
            raise ScenarioError([(str(path), lines.get(("extends",), (None, None))[1], "extends",
                                  f"base scenario {str(base_path)!r} not found")])
        base, base_lines = load_raw(base_path, (*_chain, resolved))
        data = _merge(base, data)
        lines = {**base_lines, **lines}
    return data, lines


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_key_path(key: str) -> PathKey:
    """``"interventions[0].transfer"`` -> ``("interventions", 0, "transfer")``."""
    parts: list[str | int] = []
    for name, index in _PART.findall(key):
        parts.append(int(index) if index else name)
    if not parts:
        raise ValueError(f"empty key path {key!r}")
    return tuple(parts)


def apply_overrides(data: dict, overrides: dict[str, Any] | None) -> dict:
    """A copy of ``data`` with each key path set to its value (sweeps, ``--steps``, the app).

    A path segment naming a list of mappings may also be a ``name`` or ``type`` found in it:
    ``interventions.cash.transfer`` sets ``transfer`` in the intervention named or typed cash.
    """
    if not overrides:
        return data
    out = copy.deepcopy(data)
    for key, value in overrides.items():
        path = parse_key_path(key)
        target = out
        for depth, part in enumerate(path[:-1]):
            target = _child(target, part, key, depth, create=True)
        last = path[-1]
        if isinstance(target, list):
            if not isinstance(last, int) or not -len(target) <= last < len(target):
                raise KeyError(f"override {key!r}: no list item {last!r}")
            target[last] = value
        else:
            target[last] = value
    return out


def _child(container, part, key, depth, create):
    if isinstance(container, list):
        if isinstance(part, int):
            if not -len(container) <= part < len(container):
                raise KeyError(f"override {key!r}: list has {len(container)} items, no [{part}]")
            return container[part]
        for item in container:
            if isinstance(item, dict) and part in (item.get("name"), item.get("type")):
                return item
        raise KeyError(f"override {key!r}: no item named {part!r}")
    if isinstance(container, dict):
        if part not in container:
            if not create:
                raise KeyError(f"override {key!r}: no key {part!r}")
            container[part] = {}
        return container[part]
    raise KeyError(f"override {key!r}: cannot descend into {type(container).__name__} at {part!r}")


# --- validation ----------------------------------------------------------------------------------
def load_scenario(source: str | Path | dict, overrides: dict[str, Any] | None = None) -> Scenario:
    """A validated :class:`Scenario` from a YAML path or a dict, with optional overrides."""
    if isinstance(source, dict):
        data, lines, file = copy.deepcopy(source), {}, "<scenario>"
    else:
        data, lines = load_raw(source)
        file = str(source)
    try:
        data = apply_overrides(data, overrides)
    except KeyError as error:
        raise ScenarioError([(file, None, "", str(error.args[0]))]) from None
    return validate(data, lines, file)


def validate(data: dict, lines: dict, file: str) -> Scenario:
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problems = [_problem(e, data, lines, file) for e in error.errors()]
        raise ScenarioError(problems) from None


_MESSAGE_PATH = re.compile(r"^([A-Za-z_]\w*(?:\[\d+\])*(?:\.[A-Za-z_]\w*(?:\[\d+\])*)*): ")


def _problem(error: dict, data: dict, lines: dict, file: str) -> tuple[str, int | None, str, str]:
    path = _data_path(error["loc"], data)
    message = error["msg"].removeprefix("Value error, ")
    found = _MESSAGE_PATH.match(message)
    if found:  # a model-level check names the key inside the model: append it
        path = path + parse_key_path(found.group(1))
        message = message[found.end():]
    if error["type"] == "extra_forbidden":
        allowed = _allowed_keys(path[:-1], data)
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.5)
        message = "unknown key" + (f"; did you mean {close[0]!r}?" if close else "")
        if allowed:
            message += f" (allowed: {', '.join(allowed)})"
    elif error["type"] == "missing":
        message = "required key is missing"
    elif "input" in error and error["type"] not in ("union_tag_invalid",):
        message += f" (got {error['input']!r})" if _short(error["input"]) else ""
    if error["type"] == "union_tag_invalid":
        from simulation.interventions.registry import REGISTRY

        message = f"unknown intervention type; allowed: {', '.join(sorted(REGISTRY))}"
        tag = (error.get("ctx") or {}).get("tag", "")
        close = difflib.get_close_matches(str(tag), sorted(REGISTRY), n=1, cutoff=0.5)
        if close:
            message += f"; did you mean {close[0]!r}?"
    line = None
    for depth in range(len(path), -1, -1):
        if path[:depth] in lines:
            file, line = lines[path[:depth]]
            break
    return file, line, _format(path), message


def _short(value) -> bool:
    return isinstance(value, str | int | float | bool | type(None)) and len(repr(value)) < 60


def _data_path(loc: tuple, data) -> PathKey:
    """The key path in the data for a pydantic error location (drops union tags)."""
    path: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and node.get("type") == part:
            continue  # discriminated-union tag
        elif isinstance(node, dict | list):
            path.append(part)
            node = None
        else:
            # pydantic's inner locations (e.g. 'function-after[...]', 'int') are not keys
            continue
    return tuple(path)


def _allowed_keys(path: PathKey, data) -> list[str]:
    """Field names of the schema model found at ``path`` (for "did you mean")."""
    annotation: Any = Scenario
    node = data
    for part in path:
        node = node[part] if _has(node, part) else None
        if isinstance(part, int):
            items = typing.get_args(annotation)
            annotation = items[0] if items else None
        else:
            model = _model_in(annotation, None)
            if model is None or part not in model.model_fields:
                return []
            annotation = model.model_fields[part].annotation
    model = _model_in(annotation, node)
    return sorted(model.model_fields) if model is not None else []


def _has(node, part) -> bool:
    return (isinstance(node, dict) and part in node) or (
        isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))


def _model_in(annotation, node) -> Any:
    """The BaseModel class inside an annotation (list items, optionals, tagged unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    candidates = [a for a in typing.get_args(annotation)]
    models = []
    for arg in candidates:
        found = _model_in(arg, node)
        if found is not None:
            models.append(found)
    if len(models) > 1 and isinstance(node, dict) and "type" in node:
        for model in models:
            field = model.model_fields.get("type")
            if field is not None and field.default == node["type"]:
                return model
    return models[0] if len(models) == 1 else (models[0] if models else None)
