"""Road km from a local OpenStreetMap file (recipe ``edges.roads``): used where the road
network joins two neighbouring units, great-circle km with a counted warning where it does
not, and a clear error for a missing or garbled file. The fixture is hand-written."""

from pathlib import Path

import pytest
from build_recipes import write_recipe

from simulation.build import BuildError, build
from simulation.build.graph import great_circle_km

OSM = Path(__file__).parent / "roads" / "bouar-bozoum.osm"
#: the fixture's road nodes (lon, lat): Bouar end, bend, bend, Bozoum end
ROAD = [(15.4790, 5.9580), (15.6200, 6.1200), (15.8000, 6.1000), (16.0005, 6.2290)]
NO_PATH = "neighbouring units: no road path between the units (the roads are in separate pieces)"
NO_ROAD = "neighbouring units: no road node within 35 km of the unit's point"


def km(a, b) -> float:
    return float(great_circle_km(*a, *b))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roads")
    with_roads = build(write_recipe(folder, steps=3, edges={"roads": str(OSM)}))
    without = build(write_recipe(folder, steps=3))
    return with_roads, without


def edge(data, a, b):
    for e in data["graph"]["edges"]:
        if {e["source"], e["target"]} == {a, b}:
            return e
    raise AssertionError(f"no edge {a} - {b}")


def cited(record, a, b):
    return next(e["distance"] for e in record["edges"] if {e["source"], e["target"]} == {a, b})


def point(data, name):
    node = next(n for n in data["graph"]["nodes"] if n["name"] == name)
    return node["x"], node["y"]


def test_road_km_where_the_roads_join_the_units(built):
    with_roads, without = built
    data = with_roads.data
    bouar, bozoum = point(data, "Bouar"), point(data, "Bozoum")
    path = sum(km(ROAD[k], ROAD[k + 1]) for k in range(3))
    expected = km(bouar, ROAD[0]) + path + km(ROAD[-1], bozoum)
    road = edge(data, "Bouar", "Bozoum")["distance"]
    assert road == pytest.approx(expected, abs=0.15)  # rounded to 0.1 km; osmnx's own lengths
    straight = edge(without.data, "Bouar", "Bozoum")["distance"]
    assert road > straight + 5  # the road bends: longer than the straight line
    source = cited(with_roads.provenance, "Bouar", "Bozoum")
    assert source["method"] == "road" and source["file"].endswith("bouar-bozoum.osm")
    assert "shortest path on the road network" in source["derived"]
    facts = with_roads.provenance["sources"]["roads"]
    assert (facts["road_nodes"], facts["highway_ways"]) == (6, 3)  # the river is no road


def test_great_circle_with_a_counted_warning_where_the_roads_do_not(built):
    with_roads, without = built
    record = with_roads.provenance
    # Bocaranga has a track near its point, joined to no other road: no path
    for other in ("Bouar", "Bozoum"):
        assert (edge(with_roads.data, "Bocaranga", other)["distance"]
                == edge(without.data, "Bocaranga", other)["distance"])
        source = cited(record, "Bocaranga", other)
        assert source["method"] == "great-circle" and "separate pieces" in source["fallback"]
    # Bossangoa is far from every road node of the file; so is Baboua, though a river's
    # node lies 0.5 km from its point (a river is no road)
    for a, b in (("Bossangoa", "Bozoum"), ("Baboua", "Bouar")):
        source = cited(record, a, b)
        assert source["method"] == "great-circle" and "35 km" in source["fallback"], (a, b)
    counts = {w["what"]: w["count"] for w in record["warnings"]}
    methods = [e["distance"] for e in record["edges"] if "fallback" in e["distance"]]
    assert counts[NO_PATH] == 2
    assert counts[NO_PATH] + counts[NO_ROAD] == len(methods)
    roads = [e for e in record["edges"] if e["distance"].get("method") == "road"]
    assert [{e["source"], e["target"]} for e in roads] == [{"Bouar", "Bozoum"}]
    # every edge between units says which distance it got (a camp's edge is to its own unit)
    camps = sum(n["type"] == "camp" for n in with_roads.data["graph"]["nodes"])
    assert len(roads) + len(methods) == len(record["edges"]) - camps


def test_a_missing_or_garbled_osm_file_is_an_error_naming_it(tmp_path):
    missing = tmp_path / "nowhere.osm"
    with pytest.raises(BuildError, match=r"nowhere.osm: OpenStreetMap file not found"):
        build(write_recipe(tmp_path, edges={"roads": str(missing)}))
    garbled = tmp_path / "garbled.osm"
    garbled.write_text(OSM.read_text(encoding="utf-8")[:700], encoding="utf-8")  # cut short
    with pytest.raises(BuildError, match=r"garbled.osm: cannot read as OpenStreetMap XML"):
        build(write_recipe(tmp_path, edges={"roads": str(garbled)}))
    rivers = tmp_path / "rivers.osm"
    rivers.write_text(OSM.read_text(encoding="utf-8").replace('k="highway"', 'k="waterway"'),
                      encoding="utf-8")
    with pytest.raises(BuildError, match=r"rivers.osm: no roads: the file has no way tagged "
                       r"highway"):
        build(write_recipe(tmp_path, edges={"roads": str(rivers)}))
    assert not list(tmp_path.glob("*.yaml.tmp*"))
