"""The scenario's `map` key and node `unit`: how a scenario names the polygons it is drawn on."""

import pytest
import yaml
from conftest import tiny_scenario_dict

from simulation.scenario import ScenarioError, load_scenario


def _write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_boundaries_are_relative_to_the_file_that_names_them(tmp_path):
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "units.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (tmp_path / "variants").mkdir()
    base = tiny_scenario_dict(map={"boundaries": "maps/units.geojson", "key": "adm2_pcode"})
    base["graph"]["nodes"][1]["unit"] = "CF11"
    _write(tmp_path / "base.yaml", base)
    child = _write(tmp_path / "variants" / "child.yaml", {"extends": "../base.yaml", "steps": 2})
    scenario = load_scenario(child)
    assert scenario.map.boundaries == str(tmp_path / "maps" / "units.geojson")
    assert scenario.map.key == "adm2_pcode" and scenario.graph.nodes[1].unit == "CF11"
    assert load_scenario(scenario.model_dump()).map == scenario.map  # a dump reloads anywhere


def test_a_missing_boundaries_file_is_an_error_at_load_naming_the_file_and_key(tmp_path):
    path = _write(tmp_path / "s.yaml", tiny_scenario_dict(
        map={"boundaries": "nowhere.parquet", "key": "adm2_pcode"}))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [(file, line, key, message)] = caught.value.problems
    assert (file, key) == (str(path), "map.boundaries") and line is not None
    assert str(tmp_path / "nowhere.parquet") in message and "not found" in message


def test_a_map_needs_its_key_column(tmp_path):
    (tmp_path / "units.geojson").write_text("{}")
    path = _write(tmp_path / "s.yaml", tiny_scenario_dict(map={"boundaries": "units.geojson"}))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [(_, _, key, message)] = caught.value.problems
    assert key == "map.key" and message.startswith("required with map.boundaries")
