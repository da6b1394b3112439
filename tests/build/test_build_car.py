"""prds build on the real CAF COD files (levels 2 and 3) with the synthetic DTM, ACLED, WFP
and site tables shipped beside the example recipe."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from build_recipes import CAF, EXAMPLE, FIXTURES, write_recipe
from typer.testing import CliRunner

from simulation.build import build, load_recipe
from simulation.cli import app
from simulation.phases import PLAN, plan_for
from simulation.scenario import load_scenario


@pytest.fixture(scope="module")
def car(tmp_path_factory):
    """The example recipe built into a temporary folder."""
    out = tmp_path_factory.mktemp("car") / "car-2024.yaml"
    return build(EXAMPLE, out), out


def nodes_by_name(data):
    return {node["name"]: node for node in data["graph"]["nodes"]}


def persons(data, group, recipe):
    """Persons per node of one group (households scaled back from the sample)."""
    out: dict[str, float] = {}
    for item in data["populations"]:
        if item["group"] == group:
            out[item["node"]] = out.get(item["node"], 0) + (
                item["households"] * item["size_mean"] / recipe.sample)
    return out


def test_one_node_per_level2_unit_plus_sites(car):
    built, _ = car
    units = pd.read_csv(CAF / "caf_admpop_adm2_2015.csv", encoding="latin-1")
    nodes = built.data["graph"]["nodes"]
    sites = pd.read_csv(FIXTURES / "sites.csv", skiprows=[1])
    assert len([n for n in nodes if n["type"] != "camp"]) == 72  # 73 rows, Bangui on two
    assert sorted(n["name"] for n in nodes if n["type"] == "camp") == sorted(sites.site_name)
    assert {n["unit"] for n in nodes if n["type"] != "camp"} == set(units.Adm2_Pcode)
    # coordinates are longitude/latitude inside the CAF
    assert all(14 < n["x"] < 28 and 2 < n["y"] < 11.5 for n in nodes)


def test_hosts_are_residents_less_idps(car):
    built, _ = car
    recipe = load_recipe(EXAMPLE)
    total = 4_953_021  # the level-2 table's T_TL total (SOURCE.md)
    dtm = pd.read_csv(FIXTURES / "dtm.csv", skiprows=[1])
    used = dtm[dtm.reportingDate < "2026"]  # the row after the run is skipped
    used = used[~((used.admin2Pcode == "CF711") & (used.roundNumber == 18))]  # latest round
    sites = pd.read_csv(FIXTURES / "sites.csv", skiprows=[1])
    # Batangafo's site is not in the DTM table: its persons are IDPs on top of DTM's
    idps = used.numPresentIdpInd.sum() + sites[sites.admin2Pcode == "CF326"].numPresentIdpInd.sum()
    hosts = sum(persons(built.data, "host", recipe).values())
    assert hosts == pytest.approx(total - idps, rel=0.005)
    displaced = sum(persons(built.data, "displaced", recipe).values())
    assert displaced == pytest.approx(idps, rel=0.005)


def test_displaced_where_dtm_puts_them_with_origins(car):
    built, _ = car
    recipe = load_recipe(EXAMPLE)
    shown = persons(built.data, "displaced", recipe)
    # Kaga-Bandoro: 38,000 + 4,000 IDPs of which 18,000 in the Lazare site
    assert shown["Kaga-Bandoro"] == pytest.approx(42_000 - 18_000, rel=0.01)
    assert shown["Lazare"] == pytest.approx(18_000, rel=0.01)
    assert shown["Bangui"] == pytest.approx(35_000, rel=0.01)  # round 19, not round 18
    origins = {(p["node"], p.get("origin")) for p in built.data["populations"]
               if p["group"] == "displaced"}
    # Ouham (CF32) IDPs come from its worst-hit unit: Batangafo, where the events are
    assert ("Bangui", "Batangafo") in origins and ("Kaga-Bandoro", "Batangafo") in origins
    kinds = {n["name"]: n["type"] for n in built.data["graph"]["nodes"]}
    assert kinds["Batangafo"] == "origin" and kinds["Bangui"] == "town"


def test_threat_highest_where_the_events_are(car):
    built, _ = car
    nodes = nodes_by_name(built.data)

    def first(value):
        return value if isinstance(value, float) else value[0]

    hot = {"Batangafo", "Kabo", "Bria", "Bambari", "Birao"}
    calm = [first(n["threat"]) for n in built.data["graph"]["nodes"]
            if n["name"] not in hot and n["type"] != "camp" and n["name"] != "Bangui"]
    assert max(calm) == 0.0
    assert min(first(nodes[name]["threat"]) for name in hot) > 0.3
    # events ease after August (step 7): the threat falls there
    batangafo = nodes["Batangafo"]["threat"]
    assert batangafo[0] > batangafo[max(k for k in batangafo if k <= 11)]


def test_meb_follows_prices(car):
    built, _ = car
    nodes = nodes_by_name(built.data)
    bria, bangui = nodes["Bria"]["meb"], nodes["Bangui"]["meb"]
    # Bria's prices rise 3.5% a month in the fixture; Bangui's are flat
    assert isinstance(bria, dict) and bria[11] / bria[0] == pytest.approx(1.035 ** 11, rel=0.01)
    assert isinstance(bangui, float)
    # a basket of 10 kg cassava flour, 1.5 kg groundnuts, 0.9 l palm oil, 40% non-food
    assert bangui == pytest.approx((10 * 0.42 + 1.5 * 1.10 + 0.9 * 1.60) / 0.6, rel=0.01)
    # a unit with no market takes the nearest market's MEB (Yalinga's is Bria's)
    assert nodes["Yalinga"]["meb"] == bria


def test_provenance_cites_every_value(car):
    built, out = car
    record = json.loads(out.with_name("car-2024.provenance.json").read_text())
    assert record["format"] == "prds-provenance/1"
    for node in built.data["graph"]["nodes"]:
        cites = record["nodes"][node["name"]]
        assert set(node) - {"name"} <= set(cites), node["name"]
        for cite_ in cites.values():
            assert "assumed" in cite_ or {"file", "row", "column"} <= set(cite_)
    assert len(record["edges"]) == len(built.data["graph"]["edges"])
    assert len(record["populations"]) == len(built.data["populations"])
    assert record["nodes"]["Bangui"]["unit"] == {"file": record["sources"]["boundaries"]["file"], "row": 63, "column": "adm2_pcode"}  # its feature
    bangui_hosts = next(p for p in record["populations"] if p["node"] == "Bangui")
    assert bangui_hosts["households"]["row"] == [13, 14]  # the two CF711 rows, summed
    wage = record["nodes"]["Bangui"]["wage"]
    assert wage == {"assumed": "recipe defaults.town.wage"}
    assert any(a["what"] == "wage at town nodes" and a["value"] == 120
               for a in record["assumptions"])
    warned = {(w["what"], w["count"]) for w in record["warnings"]}
    assert ("a P-code on several rows", 1) in warned


def test_edges_join_units_that_share_a_border(car):
    built, _ = car
    edges = {frozenset((e["source"], e["target"])): e for e in built.data["graph"]["edges"]}
    assert frozenset(("Bangui", "Bimbo")) in edges  # Bimbo surrounds Bangui
    assert frozenset(("Bangui", "Birao")) not in edges
    # great-circle km between the units' points (Bangui - Bimbo about 13 km)
    assert 5 < edges[frozenset(("Bangui", "Bimbo"))]["distance"] < 30
    assert not any(e.get("border") for e in edges.values())  # one country
    assert frozenset(("Kaga-Bandoro", "Lazare")) in edges  # a camp tied to its unit


def test_built_scenario_loads_extends_and_runs_every_phase(car, tmp_path):
    _, out = car
    spec = load_scenario(out)
    assert [name for name, _ in plan_for(spec)] == [name for name, _ in PLAN]
    variant = out.with_name("variant.yaml")
    variant.write_text(yaml.safe_dump({"extends": out.name, "name": "car-variant",
                                       "seed": 11}), encoding="utf-8")
    assert load_scenario(variant).graph == spec.graph
    result = CliRunner().invoke(app, ["run", str(variant), "--steps", "3", "--out",
                                      str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "summary.json").exists()


def test_cli_build_writes_both_files_and_prints_the_quirks(tmp_path):
    out = tmp_path / "car.yaml"
    result = CliRunner().invoke(app, ["build", str(write_recipe(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "car.provenance.json").exists()
    assert "a P-code on several rows" in result.output
    assert not list(tmp_path.glob(".*.tmp"))


def test_same_recipe_same_bytes(tmp_path):
    first, second = tmp_path / "a" / "car.yaml", tmp_path / "b" / "car.yaml"
    build(EXAMPLE, first)
    build(EXAMPLE, second)
    assert first.read_bytes() == second.read_bytes()
    assert (first.with_name("car.provenance.json").read_bytes()
            == second.with_name("car.provenance.json").read_bytes())


def test_level3_with_mismatched_pcodes(tmp_path):
    recipe = write_recipe(tmp_path, level=3, name="car-adm3",
                          boundaries=str(CAF / "caf_admin3.parquet"),
                          population=str(CAF / "caf_admpop_adm3_2015.csv"))
    built = build(recipe, tmp_path / "car3.yaml")
    units = [n for n in built.data["graph"]["nodes"] if n["type"] != "camp"]
    assert len(units) == 175
    hosts = {p["node"]: p["households"] for p in built.data["populations"]
             if p["group"] == "host"}
    nodes = nodes_by_name(built.data)
    # Bangui's arrondissements: "2e Arrondissement" (CF7121) is "Arrondissement 2" (CF7112)
    assert nodes["Arrondissement 2"]["unit"] == "CF7112"
    # less its population share of Bangui's 35,000 IDPs (DTM reports them at admin2)
    bangui = 15_716 + 823_364
    assert hosts["Arrondissement 2"] == pytest.approx(
        (88_121 - 35_000 * 88_121 / bangui) * 0.05 / 5, abs=1)
    # Mbili (CF3155, no population row) gets its area share of Ngaoundaye's persons
    assert hosts["Mbili"] > 0
    record = built.provenance
    warned = {w["what"]: w for w in record["warnings"]}
    lacks = [w for w in record["warnings"] if w["what"] == "a P-code the boundaries lack"
             and w["file"].endswith("adm3_2015.csv")]
    assert sum(w["count"] for w in lacks) == 10  # 7 matched by name, 3 shared by area
    assert warned["a unit without a population row"]["count"] == 1
    recipe_ = load_recipe(recipe)
    total = sum(p["households"] * 5 / recipe_.sample for p in built.data["populations"])
    assert total == pytest.approx(4_953_014, rel=0.005)  # the level-3 total is kept
    assert np.isfinite([n["x"] for n in units]).all()
