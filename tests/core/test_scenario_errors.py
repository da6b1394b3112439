"""Scenario files: errors name the file, the key path and the line; nothing runs on a bad file."""

import textwrap

import pytest

from simulation.scenario import DEFAULT_SCENARIO, ScenarioError, load_scenario


def write(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
name: ok
steps: 3
graph:
  nodes:
    - {name: A, type: origin}
    - {name: B, type: town}
  edges:
    - {source: A, target: B, distance: 10}
populations:
  - {group: host, node: A, households: 5}
"""


def test_default_scenario_loads():
    scenario = load_scenario(DEFAULT_SCENARIO)
    assert scenario.steps == 36 and len(scenario.graph.nodes) >= 6


def test_good_file_loads(tmp_path):
    assert load_scenario(write(tmp_path, GOOD)).name == "ok"


def test_typo_names_file_line_path_and_nearest_key(tmp_path):
    path = write(tmp_path, GOOD.replace("{name: B, type: town}", "{name: B, type: town, thret: 0.5}"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert f"{path}:6:" in message
    assert "graph.nodes[1].thret" in message
    assert "did you mean 'threat'" in message


def test_wrong_type_and_range(tmp_path):
    path = write(tmp_path, GOOD.replace("steps: 3", "steps: many").replace("households: 5",
                                                                           "households: -5"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert f"{path}:2: steps:" in message and "integer" in message
    assert "populations[0].households" in message and "greater than or equal to 0" in message


def test_unknown_node_in_edge_suggests_nearest(tmp_path):
    path = write(tmp_path, GOOD.replace("{source: A, target: B,", "{source: A, target: Bb,"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "graph.edges[0].target" in message and "unknown node 'Bb'" in message
    assert f"{path}:8:" in message


def test_unknown_node_type_lists_allowed(tmp_path):
    path = write(tmp_path, GOOD.replace("type: town", "type: city"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "'origin', 'town', 'camp'" in str(caught.value)


def test_parameter_typo_suggests_parameter(tmp_path):
    path = write(tmp_path, GOOD + "parameters:\n  flight_rat: 0.5\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "parameters.flight_rat" in str(caught.value)
    assert "did you mean 'flight_rate'" in str(caught.value)


def test_unknown_intervention_type(tmp_path):
    path = write(tmp_path, GOOD + "interventions:\n  - {type: cassh}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "interventions[0]" in message and "did you mean 'cash'" in message


def test_bad_yaml_names_line(tmp_path):
    path = write(tmp_path, GOOD.replace("steps: 3", "steps: [3"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value) and "not valid YAML" in str(caught.value)


def test_duplicate_key_is_an_error(tmp_path):
    path = write(tmp_path, GOOD.replace("steps: 3", "steps: 3\nsteps: 4"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert f"{path}:3: steps: key given twice" in str(caught.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(GOOD.replace("ok", "caf\xe9").encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "not UTF-8" in str(caught.value)


def test_extends_merges_and_reports_errors_in_the_child(tmp_path):
    write(tmp_path, GOOD, "base.yaml")
    child = write(tmp_path, "extends: base.yaml\nname: child\nparameters: {flight_rate: 0.1}\n",
                  "child.yaml")
    scenario = load_scenario(child)
    assert scenario.name == "child" and scenario.steps == 3
    assert scenario.parameters.flight_rate == 0.1
    bad = write(tmp_path, "extends: base.yaml\nparameters: {flight_rate: 2}\n", "bad.yaml")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(bad)
    assert f"{bad}:2: parameters.flight_rate" in str(caught.value)


def test_extends_cycle_and_missing_base(tmp_path):
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")
    missing = write(tmp_path, "extends: nowhere.yaml\n", "m.yaml")
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(missing)


def test_overrides_apply_and_unknown_override_is_clear(tmp_path):
    path = write(tmp_path, GOOD)
    scenario = load_scenario(path, {"parameters.flight_rate": 0.2, "graph.nodes[1].wage": 99})
    assert scenario.parameters.flight_rate == 0.2 and scenario.graph.nodes[1].wage == 99
    with pytest.raises(ScenarioError, match="list has 2 items"):
        load_scenario(path, {"graph.nodes[5].wage": 1})


def test_nothing_runs_on_a_bad_file(tmp_path):
    from typer.testing import CliRunner

    from simulation.cli import app

    path = write(tmp_path, GOOD.replace("distance: 10", "distance: -1"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert "graph.edges[0].distance" in result.output
    assert not out.exists()
