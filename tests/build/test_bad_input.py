"""Each bad input of issue 13: a clear error naming file, row and column, or a counted warning."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from build_recipes import CAF, FIXTURES, copy_with, write_recipe

from simulation.build import BuildError, RecipeError, build
from simulation.build.conflict import parse_dates


def warnings_of(built, what):
    return [w for w in built.provenance["warnings"] if w["what"] == what]


def test_displacement_pcode_the_boundaries_lack_is_shared_within_its_admin1(tmp_path):
    dtm = copy_with(tmp_path, FIXTURES / "dtm.csv",
                    lambda lines: [line.replace(",CF421,", ",CF499,") for line in lines])
    built = build(write_recipe(tmp_path, displacement=str(dtm)))
    (warning,) = warnings_of(built, "a P-code the boundaries lack")
    assert warning["column"] == "admin2Pcode" and warning["count"] == 2


def test_displacement_pcode_with_unknown_admin1_is_an_error(tmp_path):
    dtm = copy_with(tmp_path, FIXTURES / "dtm.csv", lambda lines: [
        line.replace(",CF42,Kaga-Bandoro,CF421,", ",CF99,Kaga-Bandoro,CF999,") for line in lines])
    with pytest.raises(BuildError, match=r"dtm.csv:7: column admin2Pcode: P-code not in the"):
        build(write_recipe(tmp_path, displacement=str(dtm)))


def test_population_pcode_with_no_unit_nor_parent_is_an_error(tmp_path):
    pop = tmp_path / "pop.csv"
    text = (CAF / "caf_admpop_adm2_2015.csv").read_bytes().replace(b"CF22,Abba,CF224",
                                                                   b"XX22,Abba,XX224")
    pop.write_bytes(text)
    with pytest.raises(BuildError, match=r"pop.csv:2: column Adm2_Pcode: P-code 'XX224'"):
        build(write_recipe(tmp_path, population=str(pop)))


def test_duplicated_pcode_in_boundaries_is_an_error(tmp_path):
    units = gpd.read_parquet(CAF / "caf_admin2.parquet")
    units.loc[5, "adm2_pcode"] = units.loc[4, "adm2_pcode"]
    path = tmp_path / "b.gpkg"
    units.to_file(path)
    with pytest.raises(BuildError, match=r"b.gpkg:5: column adm2_pcode: P-code .* on rows \[5, 6\]"):
        build(write_recipe(tmp_path, boundaries=str(path)))


def test_missing_column_is_an_error(tmp_path):
    dtm = copy_with(tmp_path, FIXTURES / "dtm.csv", lambda lines: [
        line.replace("numPresentIdpInd", "idps").replace("#affected+idps+ind", "")
        for line in lines])
    with pytest.raises(BuildError, match=r"dtm.csv:1: no column for IDPs present.*"
                       r"numPresentIdpInd"):
        build(write_recipe(tmp_path, displacement=str(dtm)))


def test_unknown_file_format_is_an_error(tmp_path):
    path = tmp_path / "units.kml"
    path.write_text("<kml/>")
    with pytest.raises(BuildError, match=r"units.kml: unknown boundaries format '.kml'"):
        build(write_recipe(tmp_path, boundaries=str(path)))


def test_invalid_geometry_is_repaired_and_counted_empty_is_an_error(tmp_path):
    units = gpd.read_parquet(CAF / "caf_admin2.parquet")
    minx, miny, maxx, maxy = units.geometry.iloc[0].bounds
    units.loc[0, "geometry"] = shapely.Polygon([(minx, miny), (maxx, maxy), (maxx, miny),
                                                (minx, maxy)])  # a bow tie
    path = tmp_path / "b.geojson"
    units.to_file(path, driver="GeoJSON")
    built = build(write_recipe(tmp_path, boundaries=str(path)))
    (warning,) = warnings_of(built, "invalid polygon")
    assert warning["row"] == [1] and warning["column"] == "geometry"
    units.loc[0, "geometry"] = shapely.Polygon()
    units.to_file(path, driver="GeoJSON")
    with pytest.raises(BuildError, match=r"b.geojson:1: column geometry: empty or missing"):
        build(write_recipe(tmp_path, boundaries=str(path)))


def test_events_outside_every_polygon_and_outside_the_run_are_counted(tmp_path):
    built = build(write_recipe(tmp_path))
    (outside,) = warnings_of(built, "an event outside every unit polygon")
    (early,) = warnings_of(built, "an event outside the run's months")
    assert outside["count"] == 2 and early["count"] == 2
    (late,) = warnings_of(built, "reported after the run ends")
    assert late["file"].endswith("dtm.csv") and late["count"] == 1


def test_price_in_an_unknown_unit_is_counted(tmp_path):
    built = build(write_recipe(tmp_path))
    (unit,) = [w for w in built.provenance["warnings"] if w["column"] == "unit"]
    assert unit["count"] == 6 and unit["done"] == "row skipped"


def test_a_bad_date_is_an_error_and_acled_date_forms_parse(tmp_path):
    parsed = parse_dates(pd.Series(["2020-05-09", "09 May 2020", "9-May-20"]))
    assert (parsed == pd.Timestamp("2020-05-09")).all()
    acled = copy_with(tmp_path, FIXTURES / "acled.csv",
                      lambda lines: [lines[0], lines[1].replace(lines[1].split(",")[1],
                                                                "May the 9th"), *lines[2:]])
    with pytest.raises(BuildError, match=r"acled.csv:2: column event_date: not a date"):
        build(write_recipe(tmp_path, conflict={"file": str(acled)}))


def test_recipe_errors_name_the_key(tmp_path):
    with pytest.raises(RecipeError, match=r"test.recipe.yaml:\d+: househld_size: unknown key; "
                       r"did you mean 'household_size'"):
        build(write_recipe(tmp_path, househld_size=4))
    with pytest.raises(RecipeError, match=r"edges.road_access_km: .*greater than 0"):
        build(write_recipe(tmp_path, edges={"road_access_km": 0}))


def test_nothing_is_written_on_an_error(tmp_path):
    out = tmp_path / "car.yaml"
    with pytest.raises(BuildError):
        build(write_recipe(tmp_path, prices={"file": str(FIXTURES / "wfp_prices.csv"),
                                             "basket": [{"commodity": "Caviar", "quantity": 1}]}),
              out)
    assert not out.exists() and not list(tmp_path.glob("*.json")) and not list(
        tmp_path.glob(".*.tmp"))
