"""Load scenario YAML files: ``extends:``, overrides, and errors that point at the line.

Every problem in a scenario file is reported as a :class:`ScenarioError` naming the file, the
key path (``graph.nodes[2].threat``) and the line, with the nearest valid key for a typo.
Nothing runs on a bad file: validation happens before any model is built.
"""

import copy
import difflib
import math
import os
import re
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulation.scenario.schema import Scenario

PathKey = tuple[str | int, ...]
#: libyaml's safe loader when PyYAML was built with it (ten times faster), else PyYAML's
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputError(ValueError):
    """An input file that cannot be used; ``problems`` lists (file, line, key path, message)."""

    kind = "input"  # the word in the first line: "invalid scenario", "invalid sweep"

    def __init__(self, problems: list[tuple[str, int | None, str, str]]):
        self.problems = problems
        lines = []
        for file, line, key, message in problems:
            place = f"{file}:{line}" if line else file
            lines.append(f"{place}: {key}: {message}" if key else f"{place}: {message}")
        super().__init__(f"invalid {self.kind}\n  " + "\n  ".join(lines))


class ScenarioError(InputError):
    """A scenario that cannot be used; ``problems`` lists (file, line, key path, message)."""

    kind = "scenario"


# --- YAML with line numbers ----------------------------------------------------------------------
def _read_yaml(path: Path) -> tuple[Any, dict[PathKey, tuple[str, int]]]:
    """Parse a YAML file; return the data and a map from key path to (file, line)."""
    file = str(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError([(file, None, "", "file not found")]) from None
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioError([(file, line, "", f"not UTF-8 text ({error.reason} at byte "
                                              f"{error.start}); save the file as UTF-8")]) from None
    except OSError as error:
        raise ScenarioError([(file, None, "", f"cannot read: {error.strerror}")]) from None
    try:
        _check_shape(text, file)
        root = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(error, "problem", None) or str(error)
        if isinstance(error, yaml.reader.ReaderError):  # a control character: no mark
            line = text[: error.position].count("\n") + 1
            character = chr(error.character) if isinstance(error.character, int) else error.character
            problem = f"character {character!r} is not allowed in YAML text"
        if "nesting depth" in str(problem):  # libyaml's own cap (PyYAML >= 6.0.4 wheels)
            raise ScenarioError([(file, line, "", f"nested more than {MAX_DEPTH} levels deep")]) from None
        raise ScenarioError([(file, line, "", f"not valid YAML: {problem}")]) from None
    lines: dict[PathKey, tuple[str, int]] = {}
    if root is not None:
        _walk(root, (), file, lines)
    return data, lines


#: deepest nesting and most values (aliases expanded) a scenario file may have (assumption:
#: real scenarios nest under ten levels; the caps keep alias bombs and deep nesting from
#: hanging or overflowing the recursive YAML composer)
MAX_DEPTH = 50
MAX_VALUES = 1_000_000


def _check_shape(text: str, file: str) -> None:
    """Reject deep nesting, self-referencing aliases and alias bombs, from the event stream.

    Walks PyYAML's events (not recursive) and counts values with aliases expanded, before
    anything recursive (composing, validating) sees the document.
    """
    sizes: dict[str, int] = {}  # anchor -> values it stands for
    open_: list[list] = []  # [values so far, anchor] of each open collection
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.CollectionStartEvent):
            open_.append([1, event.anchor])
            if len(open_) > MAX_DEPTH:
                raise ScenarioError([(file, line, "", f"nested more than {MAX_DEPTH} levels deep")])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            count, anchor = open_.pop()
            if anchor:
                sizes[anchor] = count
        elif isinstance(event, yaml.ScalarEvent):
            count = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for _, anchor in open_):
                raise ScenarioError([(file, line, "", f"alias *{event.anchor} refers to a "
                                                      "collection that contains it")])
            count = sizes.get(event.anchor, 1)
        else:
            continue
        if open_:
            open_[-1][0] += count
            count = open_[-1][0]
        if count > MAX_VALUES:
            raise ScenarioError([(file, line, "", f"more than {MAX_VALUES:,} values once aliases "
                                                  "are expanded")])


def _walk(node, path: PathKey, file: str, lines: dict, walked: set | None = None) -> None:
    lines[path] = (file, node.start_mark.line + 1)
    walked = set() if walked is None else walked
    if id(node) in walked:  # an alias of a node already walked: lines are the anchor's
        return
    walked.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise ScenarioError([(file, key_node.start_mark.line + 1, _format(path + (key,)),
                                      "key given twice")])
            seen.add(key)
            lines[path + (key,)] = (file, key_node.start_mark.line + 1)
            _walk(value_node, path + (key,), file, lines, walked)
            lines[path + (key,)] = (file, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), file, lines, walked)


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
    _resolve_map(data, path, lines)
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


def _resolve_map(data: dict, path: Path, lines: dict) -> None:
    """Make ``map.boundaries`` absolute, relative to the file that names it (as ``extends``),
    and check that the file exists: a scenario that names a missing map is an error at load."""
    spec = data.get("map")
    if not isinstance(spec, dict) or not isinstance(spec.get("boundaries"), str):
        return  # absent, or a shape the schema reports
    given = Path(spec["boundaries"]).expanduser()
    boundaries = Path(os.path.abspath(given if given.is_absolute() else path.parent / given))
    if not boundaries.is_file():
        line = lines.get(("map", "boundaries"), (None, None))[1]
        raise ScenarioError([(str(path), line, "map.boundaries",
                              f"boundaries file {str(boundaries)!r} not found")])
    data["map"] = {**spec, "boundaries": str(boundaries)}


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
        try:
            path = parse_key_path(str(key))
        except ValueError:
            raise KeyError(f"override {key!r}: not a key path (e.g. 'parameters.flight_rate')") from None
        target = out
        for depth, part in enumerate(path[:-1]):
            target = _child(target, part, key, depth, create=True)
        last = path[-1]
        if isinstance(target, list):
            if not isinstance(last, int) or not -len(target) <= last < len(target):
                raise KeyError(f"override {key!r}: no list item {last!r}")
            target[last] = value
        elif isinstance(target, dict):
            target[last] = value
        else:
            raise KeyError(f"override {key!r}: {_format(path[:-1])} is a "
                           f"{type(target).__name__}, it has no key {last!r}")
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


#: largest and smallest non-zero size of any number in a scenario (assumption: far beyond any
#: real count, price, distance or rate, and close enough that products and ratios of a few of
#: them stay finite in float32 columns: a MEB of 1e-39 made living standards infinite)
MAX_NUMBER = 1e12
MIN_NUMBER = 1e-9


def _bad_numbers(data, lines: dict, file: str) -> list[tuple[str, int | None, str, str]]:
    """NaN, infinite, huge or vanishing numbers anywhere in the data (the seed excepted)."""
    problems = []
    stack: list[tuple[PathKey, Any]] = [((), data)]
    seen: set[int] = set()  # containers shared through YAML aliases are checked once
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict | list | tuple):
            if id(value) in seen:
                continue
            seen.add(id(value))
        if isinstance(value, dict):
            stack += [((*path, k), v) for k, v in value.items() if path or k != "seed"]
        elif isinstance(value, list | tuple):
            stack += [((*path, i), v) for i, v in enumerate(value)]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                message = f"must be a finite number (got {value!r})"
            elif abs(value) > MAX_NUMBER:
                shown = repr(value) if len(repr(value)) < 30 else f"{repr(value)[:8]}... ({len(repr(value))} digits)"
                message = f"too large: at most {MAX_NUMBER:g} (got {shown})"
            elif value != 0 and abs(value) < MIN_NUMBER:
                message = f"too small: 0, or at least {MIN_NUMBER:g} in size (got {value!r})"
            else:
                continue
            problems.append((*where(path, lines, file), _format(path), message))
    return sorted(problems, key=lambda p: (p[1] or 0, p[2]))


def where(path: PathKey, lines: dict, file: str) -> tuple[str, int | None]:
    """The file and line of the deepest key of ``path`` that the YAML reader saw.

    A missing key has no line of its own: its parent's line is the place to look.
    """
    for depth in range(len(path), -1, -1):
        if path[:depth] in lines:
            return lines[path[:depth]]
    return file, None


def unknown_key_message(key, allowed: list[str]) -> str:
    """'unknown key; did you mean ...? (allowed: ...)' for a key the schema forbids."""
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.5)
    message = "unknown key" + (f"; did you mean {close[0]!r}?" if close else "")
    if allowed:
        message += f" (allowed: {', '.join(allowed)})"
    return message


def validate(data: dict, lines: dict, file: str) -> Scenario:
    problems = _bad_numbers(data, lines, file)
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problems = [_problem(e, data, lines, file) for e in error.errors()]
        raise ScenarioError(problems) from None


_MESSAGE_PATH = re.compile(r"^([A-Za-z_]\w*(?:\[\d+\])*(?:\.[A-Za-z_]\w*(?:\[\d+\])*)*): ")


def _problem(error: dict, data: dict, lines: dict, file: str) -> tuple[str, int | None, str, str]:
    path = data_path(error["loc"], data)
    message = error["msg"].removeprefix("Value error, ")
    found = _MESSAGE_PATH.match(message)
    if found:  # a model-level check names the key inside the model: append it
        path = path + parse_key_path(found.group(1))
        message = message[found.end():]
    if error["type"] == "extra_forbidden":
        message = unknown_key_message(path[-1], _allowed_keys(path[:-1], data))
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
    file, line = where(path, lines, file)
    return file, line, _format(path), message


def _short(value) -> bool:
    return isinstance(value, str | int | float | bool | type(None)) and len(repr(value)) < 60


def _is_type_tag(node: dict, part) -> bool:
    """Whether ``part`` is the tag pydantic adds for an intervention's ``type`` union."""
    return isinstance(part, str) and node.get("type") == part


def data_path(loc: tuple, data, is_tag=_is_type_tag) -> PathKey:
    """The key path in the data for a pydantic error location.

    Pydantic puts union tags (``is_tag(node, part)``) and its own inner names
    ('function-after[...]', 'int') in a location; neither is a key of the file.
    """
    path: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif isinstance(node, dict) and is_tag(node, part):
            continue
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
