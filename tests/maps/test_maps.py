"""Maps (outputs/maps.py) from the real CAF level-3 boundaries, from x/y only, and via prds run."""

import json

import matplotlib
import numpy as np
import pytest
import yaml
from conftest import FLEE_DATA, REPO, SHARED, tiny_scenario_dict
from typer.testing import CliRunner

from simulation.cli import app
from simulation.outputs import files, maps
from simulation.scenario import load_scenario

CAF3 = SHARED / "data" / "cod" / "caf" / "caf_admin3.parquet"


def caf_scenario(**changes) -> dict:
    """Five nodes carrying real CAF level-3 P-codes (Mbomou, Basse-Kotto), a camp, abroad."""
    data = tiny_scenario_dict(name="mbomou", steps=3, map={"boundaries": str(CAF3),
                              "key": "adm3_pcode", "attribution": "OCHA, CC BY-IGO"})
    data["graph"] = {"nodes": [
        {"name": "Mobaye", "type": "origin", "unit": "CF6111", "threat": 0.6},
        {"name": "Bangassou", "type": "town", "unit": "CF6211", "labour_demand": 400},
        {"name": "Bangassou camp", "type": "camp", "unit": "CF6211", "x": 22.9, "y": 4.8},
        {"name": "Gambo", "type": "host_area", "unit": "CF6231", "labour_demand": 100},
        {"name": "Yakoma", "type": "abroad", "x": 22.4, "y": 4.1, "country": "drc"},
    ], "edges": [
        {"source": "Mobaye", "target": "Gambo", "distance": 90},
        {"source": "Gambo", "target": "Bangassou", "distance": 60},
        {"source": "Bangassou", "target": "Bangassou camp", "distance": 5},
        {"source": "Mobaye", "target": "Yakoma", "distance": 120, "border": True},
    ]}
    data["populations"] = [
        {"group": "host", "node": "Mobaye", "households": 30},
        {"group": "host", "node": "Bangassou", "households": 80},
        {"group": "displaced", "node": "Bangassou camp", "origin": "Mobaye", "households": 40},
    ]
    data.update(changes)
    return data


def test_caf_units_one_patch_per_polygon_shaded_by_the_pooled_outcome(tmp_path):
    scenario = load_scenario(caf_scenario())
    households = np.array([30.0, 80.0, 40.0, 0.0, 0.0])
    values = np.array([0.9, 0.25, 1.0, np.nan, np.nan])
    drawn = maps.draw_map(scenario, households, values)
    assert len(drawn.unit_patches.get_paths()) == 175  # every unit of the level-3 file
    keys = list(drawn.units.keys)
    bangassou = keys.index("CF6211")  # town and camp pooled by households
    assert drawn.unit_values[bangassou] == pytest.approx((80 * 0.25 + 40 * 1.0) / 120)
    colours = drawn.unit_patches.get_facecolor()
    expected = matplotlib.colormaps["RdYlGn_r"](drawn.unit_values[bangassou])
    np.testing.assert_allclose(colours[bangassou], expected)
    np.testing.assert_allclose(colours[keys.index("CF6231")],
                               matplotlib.colors.to_rgba(maps.NO_HOUSEHOLDS))  # Gambo: empty
    np.testing.assert_allclose(colours[keys.index("CF6132")],
                               matplotlib.colors.to_rgba(maps.NOT_IN_SCENARIO))
    assert set(drawn.node_markers) == {"origin", "town", "camp", "host_area", "abroad"}
    path = files.save_figure(tmp_path / "map.png", drawn.figure)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_map_without_boundaries_colours_the_nodes():
    data = caf_scenario(map={})  # x/y are longitude/latitude; no polygons
    for node, (x, y) in zip(data["graph"]["nodes"], [(21.3, 4.4), (22.8, 4.7), (22.9, 4.8),
                                                       (22.2, 4.7), (22.4, 4.1)], strict=True):
        node.update(x=x, y=y)
    scenario = load_scenario(data)
    drawn = maps.draw_map(scenario, np.array([30.0, 80, 40, 10, 0]),
                          np.array([0.0, 0.5, 1.0, 0.2, np.nan]))
    assert drawn.unit_patches is None
    scatter, nodes = drawn.node_markers["camp"]
    np.testing.assert_allclose(scatter.get_facecolor()[0], matplotlib.colormaps["RdYlGn_r"](1.0))


def test_no_coordinates_no_map():
    scenario = load_scenario(tiny_scenario_dict(map={}))
    assert "no coordinates" in maps.map_problem(scenario)
    with pytest.raises(maps.MapError, match="no coordinates"):
        maps.draw_map(scenario, np.ones(3), np.zeros(3))


def test_x_y_without_a_map_key_are_drawing_positions_not_a_place():
    default = load_scenario(REPO / "scenarios" / "default.yaml")
    assert all(node.x is not None for node in default.graph.nodes)
    assert "names no map" in maps.map_problem(default)
    data = default.model_dump(mode="python")
    data["map"] = {}
    assert maps.map_problem(load_scenario(data)) is None


def test_a_boundaries_file_without_the_key_column_names_file_and_key():
    scenario = load_scenario(caf_scenario(map={"boundaries": str(CAF3), "key": "adm9_pcode"}))
    with pytest.raises(maps.MapError) as caught:
        maps.read_units(scenario.map)
    assert str(CAF3) in str(caught.value) and "'adm9_pcode'" in str(caught.value)
    assert "adm3_pcode" in str(caught.value)  # the columns it has


def test_prds_run_writes_map_png_and_fails_early_on_a_bad_key(tmp_path):
    path = tmp_path / "mbomou.yaml"
    path.write_text(yaml.safe_dump(caf_scenario()))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["scenario"] == "mbomou"
    path.write_text(yaml.safe_dump(caf_scenario(map={"boundaries": str(CAF3), "key": "pcode"})))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "bad")])
    assert result.exit_code == 2 and "'pcode'" in result.output
    assert not (tmp_path / "bad").exists()


def test_prds_run_without_coordinates_says_there_is_no_map(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_scenario_dict(steps=2)))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "no map" in result.output
    assert not (tmp_path / "out" / "map.png").exists()


def test_the_compare_report_shows_the_map_and_the_built_assumptions(tmp_path):
    from simulation.compare.comparison import compare
    from simulation.report.document import write_report

    base = tmp_path / "mbomou.yaml"
    base.write_text(yaml.safe_dump(caf_scenario()))
    (tmp_path / "mbomou.provenance.json").write_text(json.dumps({
        "format": "prds-provenance/1", "assumptions": [
            {"what": "wage at host_area nodes", "value": 150.0,
             "rule": "recipe defaults.host_area.wage"}],
        "warnings": [{"file": "pop.csv", "what": "P-code CF711 on 2 rows",
                      "done": "summed the rows", "count": 1}]}))
    cash = tmp_path / "cash.yaml"
    cash.write_text(yaml.safe_dump({"extends": "mbomou.yaml", "name": "cash", "interventions": [
        {"type": "cash", "targeting": {"nodes": ["Bangassou camp"]}}]}))
    written = write_report(compare([base, cash], replicates=2, workers=1), tmp_path / "report")
    names = {path.name for path in written}
    assert {"map.png", "map_1_difference.png"} <= names
    html = (tmp_path / "report" / "report.html").read_text()
    assert "Baseline on the map" in html and "(<code>map.png</code>)" in html
    assert "recipe defaults.host_area.wage" in html and "P-code CF711 on 2 rows" in html


def test_prds_run_draws_a_map_from_coordinates_alone(tmp_path):
    """``map: {attribution}`` without boundaries (as a Flee import writes): nodes on the map."""
    data = tiny_scenario_dict(steps=2, map={"attribution": "locations.csv (latitude, longitude)"})
    for node, (x, y) in zip(data["graph"]["nodes"], [(21.3, 4.4), (22.8, 4.7), (22.9, 4.8)],
                            strict=True):
        node.update(x=x, y=y)
    path = tmp_path / "coordinates.yaml"
    path.write_text(yaml.safe_dump(data))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_a_flee_import_is_on_a_map_of_its_coordinates():
    from simulation.validation.convert import flee_scenario
    from simulation.validation.flee_io import read_flee_conflict

    scenario = load_scenario(flee_scenario(read_flee_conflict(FLEE_DATA / "burundi2015")))
    assert scenario.map is not None and scenario.map.boundaries is None
    assert "burundi2015" in scenario.map.attribution
    assert maps.map_problem(scenario) is None
    bujumbura = next(node for node in scenario.graph.nodes if node.name == "Bujumbura")
    assert 29 < bujumbura.x < 30 and -4 < bujumbura.y < -3  # longitude, latitude
