"""Bad input: fuzz the scenario loader with hypothesis-generated files (issue 9).

Every case must end in a :class:`ScenarioError` whose message names the file and a key path
or a line, or in a scenario that runs (two steps, every invariant checked). Never another
exception type, never a hang (each example is small; pytest-timeout guards the module).

Classes of bad input, each its own target of a few hundred examples:
- mutated valid scenarios: a value at a random key path replaced by a wrong type, a negative,
  NaN, infinite or huge number, an unknown node name, an empty or nested container; keys
  deleted; unknown keys added; structural damage (no nodes, no edges = disconnected graph,
  no populations, unknown nodes in edges, populations and targeting)
- YAML text: random text and bytes, non-mapping tops, deep nesting, alias bombs and
  recursive aliases, duplicate keys, a line of a valid file dropped, doubled or re-indented
- encodings: latin-1, cp1252, UTF-16/32 with and without BOM, random byte flips
- overrides: random key paths and values, as sweeps and the CLI pass them
- ``extends``: a child over a damaged, missing, non-file or cyclic base
"""

import copy
import math
from pathlib import Path

import pytest
import yaml
from conftest import tiny_scenario_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_strategies import DERANDOMIZE, FUZZ_EXAMPLES

from simulation.checks import InvariantChecker
from simulation.model import PRDSModel
from simulation.scenario import ScenarioError, load_scenario

pytestmark = pytest.mark.timeout(300)

FUZZ = settings(derandomize=DERANDOMIZE, max_examples=FUZZ_EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
BASE = tiny_scenario_dict(steps=2, interventions=[
    {"type": "cash", "transfer": 40, "budget": 5000, "targeting": {"nodes": ["Camp"]}}])
BASE_TEXT = yaml.safe_dump(BASE, sort_keys=False)
#: a run of a valid fuzzed scenario is skipped past this many households (validated only)
RUN_LIMIT = 20_000


def outcome(source, file: str | None = None) -> str:
    """Load ``source``; assert a clear ScenarioError or a clean 2-step run; say which."""
    try:
        scenario = load_scenario(source)
    except ScenarioError as error:
        text = str(error)
        assert error.problems, text
        for where, line, key, message in error.problems:
            assert file is None or where == file or Path(where).exists(), text
            whole_file = message in ("file not found",) or message.startswith("cannot read")
            assert line is not None or key or whole_file, f"neither a line nor a key path: {text}"
            assert message, text
        if file is not None:
            assert file in text, text
        return "error"
    if sum(p.households for p in scenario.populations) > RUN_LIMIT:
        return "valid (not run)"
    model = PRDSModel(scenario, steps=min(2, scenario.steps), with_agents=False)
    checker = InvariantChecker(model)
    checker.run()
    return "valid"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def write(folder: Path, content: str | bytes, name: str = "scenario.yaml") -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# --- mutated valid scenarios --------------------------------------------------------------------
def key_paths(data, prefix=()) -> list[tuple]:
    paths = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            paths += key_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            paths += key_paths(value, (*prefix, i))
    return paths


def containers(data, prefix=()) -> list[tuple]:
    out = [prefix] if isinstance(data, dict) else []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        out += containers(value, (*prefix, key))
    return out


def at(data, path):
    for part in path:
        data = data[part]
    return data


BAD_VALUES = st.one_of(
    st.sampled_from([None, True, False, "", "Nowhere", "1e3", "-5", "nan", [], {}, [1, 2],
                     {"a": 1}, -1, -1e-9, 0, 10**19, 10**30, 2**63, 1e308, -1e308,
                     math.nan, math.inf, -math.inf, 0.5, 1.5, "camp", [[0, 1]], {0: 0.5},
                     {"x": [1]}, "\x00", "é" * 3]),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.lists(st.one_of(st.integers(-3, 3), st.floats(-1, 2), st.text(max_size=3)), max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers(-2, 9)), st.integers(-2, 9),
                    max_size=2),
)

STRUCTURAL = [
    ("graph.edges", []),  # disconnected graph
    ("graph.nodes", []),
    ("populations", []),  # empty population
    ("populations[0].households", 0),
    ("populations[0].households", 10**12),
    ("populations[1].node", "Nowhere"),
    ("graph.edges[0].target", "Nowhere"),
    ("populations[2].origin", "Nowhere"),
    ("interventions[0].targeting.nodes", ["Nowhere"]),
    ("interventions[0].type", "cassh"),
    ("graph.nodes[2].capacity", -1),
    ("graph.nodes[0].threat", {-1: 0.5}),
    ("graph.nodes[0].threat", {"x": 0.5}),
    ("graph.edges[0].closures", [[3, 1]]),
    ("graph.edges[0].closures", [[1]]),
    ("graph.nodes[1].name", "Origin"),  # duplicate node name
    ("interventions[0].end", 0),
    ("steps", 0),
    ("days_per_step", 0),
    ("seed", -1),
    ("populations[0].livelihoods", {"casual": 0}),
]


@st.composite
def mutated(draw) -> dict:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["set", "set", "delete", "unknown_key", "structure"]))
        paths = key_paths(data)
        if kind == "structure":
            key, value = copy.deepcopy(draw(st.sampled_from(STRUCTURAL)))
            try:
                data = _set(data, key, value)
            except (KeyError, IndexError, TypeError):
                pass
        elif kind == "unknown_key":
            holder = at(data, draw(st.sampled_from(containers(data))))
            holder[draw(st.sampled_from(["thret", "households_", "extra", "Steps", "nodes "]))] = 1
        elif paths:
            path = draw(st.sampled_from(paths))
            parent = at(data, path[:-1]) if len(path) > 1 else data
            if kind == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(draw(BAD_VALUES))  # constants stay intact
    return data


def _set(data, key, value):
    from simulation.scenario import apply_overrides

    return apply_overrides(data, {key: value})


@FUZZ
@given(mutated())
def test_mutated_scenario_files_fail_clearly_or_run(scratch, data):
    path = write(scratch, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    outcome(path, str(path))


@FUZZ
@given(mutated())
def test_mutated_scenario_dicts_fail_clearly_or_run(data):
    outcome(data, "<scenario>")


# --- YAML text ------------------------------------------------------------------------------------
def deep(depth: int, kind: str) -> str:
    if kind == "flow":
        return "name: " + "[" * depth + "]" * depth + "\n"
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"


def alias_bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + f"\nname: *a{levels - 1}\n"


@st.composite
def line_damage(draw) -> str:
    lines = BASE_TEXT.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "double", "indent", "dedent", "tab", "truncate"]))
        if action == "drop":
            del lines[i]
        elif action == "double":
            lines.insert(i, lines[i])  # duplicate keys, or a list item twice
        elif action == "indent":
            lines[i] = "  " + lines[i]
        elif action == "dedent":
            lines[i] = lines[i][2:]
        elif action == "tab":
            lines[i] = "\t" + lines[i]
        else:
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]) - 1)))]
        if not lines:
            break
    return "\n".join(lines) + "\n"


TEXTS = st.one_of(
    st.text(max_size=200),
    st.binary(max_size=200),
    st.sampled_from(["", "\n", "- a\n- b\n", "42\n", "'just a string'\n", "null\n", "[]\n",
                     "~\n", "--- \n...\n", "a: 1\n---\nb: 2\n", "? [a, b]\n: 1\n",
                     "{a: 1}: 2\n", "name: &x [*x]\n", "*undefined\n", "!!python/object:os.system {}\n",
                     "graph: !!binary aGVsbG8=\n", "steps: !!float 1e3\n", "<<: {steps: 2}\n"]),
    st.builds(deep, st.integers(1, 400), st.sampled_from(["flow", "block"])),
    st.builds(alias_bomb, st.integers(2, 12), st.integers(2, 12)),
    line_damage(),
    st.builds(lambda key: BASE_TEXT + f"{key}: 3\n", st.sampled_from(["steps", "name", "graph", "seed"])),
)


@FUZZ
@given(TEXTS)
def test_yaml_text_fails_clearly_or_runs(scratch, text):
    path = write(scratch, text)
    outcome(path, str(path))


def load_raw_dict(data, renames: dict[str, str]):
    """``data`` with every string equal to a key of ``renames`` replaced."""
    if isinstance(data, dict):
        return {k: load_raw_dict(v, renames) for k, v in data.items()}
    if isinstance(data, list):
        return [load_raw_dict(v, renames) for v in data]
    return renames.get(data, data) if isinstance(data, str) else data


# --- encodings ------------------------------------------------------------------------------------
NON_ASCII = yaml.safe_dump(load_raw_dict(BASE, {"Camp": "Camp Zürich Ñ"}), sort_keys=False,
                           allow_unicode=True)


@FUZZ
@given(st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                        "utf-8-sig", "utf-8", "mac-roman"]),
       st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=3))
def test_encodings_and_byte_flips_fail_clearly_or_run(scratch, encoding, flips):
    raw = bytearray(NON_ASCII.encode(encoding))
    for position, byte in flips:
        raw[position % len(raw)] = byte
    path = write(scratch, bytes(raw))
    result = outcome(path, str(path))
    if encoding in ("utf-8", "utf-8-sig") and not flips:
        assert result == "valid"
    if encoding in ("latin-1", "utf-16", "utf-32") and not flips:
        assert result == "error"


# --- overrides ------------------------------------------------------------------------------------
KEY_PATHS = st.one_of(
    st.text("abcdefghinopstu._[]0123456789", max_size=30),
    st.sampled_from(["", ".", "[0]", "steps[0]", "name.x", "graph.nodes[9].wage",
                     "graph.nodes[-1].wage", "graph.nodes[0]", "populations..node",
                     "interventions.cash.transfer", "interventions.nothere.transfer",
                     "parameters.flight_rate", "graph.nodes.Camp.capacity", "seed.x.y",
                     "graph.edges[0].closures[0][1]", "[0].x", "a[b]", "graph..nodes"]),
)


@FUZZ
@given(st.dictionaries(KEY_PATHS, BAD_VALUES, min_size=1, max_size=3))
def test_overrides_fail_clearly_or_run(overrides):
    try:
        scenario = load_scenario(BASE, overrides)
    except ScenarioError as error:
        assert error.problems and all(line is not None or key or "override" in message
                                      for _, line, key, message in error.problems), str(error)
        return
    PRDSModel(scenario, steps=1, with_agents=False).step()


# --- extends --------------------------------------------------------------------------------------
BASES = st.one_of(
    st.builds(lambda d: yaml.safe_dump(d, sort_keys=False), mutated()),
    st.sampled_from(["", "- a list\n", "extends: child.yaml\n", "extends: base.yaml\n",
                     "extends: [1]\n", "extends: nowhere.yaml\n", "extends: .\n",
                     "steps: nan\n", "\xff\xfe"]),
)


@FUZZ
@given(BASES, st.sampled_from(["base.yaml", "nowhere.yaml", ".", "", "sub", "base.yaml/x"]),
       st.sampled_from(["steps: 2\n", "graph: {nodes: []}\n", "", "populations: []\n"]))
def test_extends_fails_clearly_or_runs(scratch, base_text, target, child_body):
    (scratch / "sub").mkdir(exist_ok=True)
    write(scratch, base_text, "base.yaml")
    child = write(scratch, f"extends: {target!r}\n" + child_body, "child.yaml")
    outcome(child, None)
