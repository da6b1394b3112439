"""Import of Flee-format conflicts into scenarios: counts, closures, threat, arrivals, CLI."""

import csv
from pathlib import Path

import numpy as np
import pytest
from flee_cases import write_conflict
from typer.testing import CliRunner

from simulation.cli import app
from simulation.scenario import load_scenario
from simulation.validation.convert import (
    arrival_counts,
    closed_steps,
    conflict_states,
    flee_scenario,
    load_validation_parameters,
    write_flee_scenario,
)
from simulation.validation.flee_io import FleeClosure, read_flee_conflict

FLEE_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "flee"
CONFLICTS = ("burundi2015", "mali2012", "nigeria2016", "syria2013")


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [[cell.strip() for cell in row] for row in csv.reader(handle)]
    return [row for row in rows if any(row) and not row[0].startswith("#")]


@pytest.fixture(scope="module", params=CONFLICTS)
def imported(request):
    conflict = read_flee_conflict(FLEE_DATA / request.param)
    return FLEE_DATA / request.param, conflict, load_scenario(flee_scenario(conflict))


def test_shipped_conflict_imports_with_the_files_counts(imported):
    directory, conflict, scenario = imported
    locations = _rows(directory / "input_csv" / "locations.csv")
    routes = _rows(directory / "input_csv" / "routes.csv")
    assert len(scenario.graph.nodes) == len(locations)
    assert len(scenario.graph.edges) == len(routes)
    assert [n.name for n in scenario.graph.nodes] == [row[0] for row in locations]
    assert [(e.source, e.target, e.distance) for e in scenario.graph.edges] == [
        (row[0], row[1], float(row[2])) for row in routes]
    for node, row in zip(scenario.graph.nodes, locations, strict=True):
        if "camp" in row[5]:
            assert node.type == "camp" and node.capacity == float(row[7])
        elif "conflict" in row[5]:
            assert node.type == "origin"
    # daily steps; camps start with their day-0 counts; arrivals bring the rest of the data
    assert scenario.days_per_step == 1 and scenario.steps == conflict.length_days
    camps = np.vstack([conflict.observed[c] for c in conflict.camp_names]).sum(axis=0)
    assert sum(p.households for p in scenario.populations) == camps[0]
    counts = scenario.arrivals[0].counts
    assert len(counts) == conflict.length_days and min(counts) >= 0 and counts[0] == 0
    assert sum(counts) == camps.max() - camps[0]  # Flee's debt rule keeps the running maximum
    assert all(p.size_mean == 1 for p in [*scenario.populations, *scenario.arrivals])
    # arrivals come from every location ever in conflict, weighted as the settings say
    conflicts = _rows(directory / "input_csv" / "conflicts.csv")
    header = (directory / "input_csv" / "conflicts.csv").read_text().splitlines()[0].split(",")
    ever = {name.strip() for j, name in enumerate(header) if j > 0 and name.strip()
            and any(float(row[j]) > 1e-6 for row in conflicts)}
    ever |= {row[0] for row in locations if "conflict" in row[5] and int(row[6]) == 0}
    power = load_validation_parameters()["arrival_weights"]["population_power"]
    population = {row[0]: int(row[7] or 0) for row in locations}
    assert scenario.arrivals[0].nodes == {name: population[name] ** power for name in
                                          [row[0] for row in locations] if name in ever}


def test_mali_country_closures_close_exactly_the_border_routes():
    conflict = read_flee_conflict(FLEE_DATA / "mali2012")
    scenario = load_scenario(flee_scenario(conflict))
    country = {n.name: n.country for n in scenario.graph.nodes}
    for edge in scenario.graph.edges:
        pair = {country[edge.source], country[edge.target]}
        if pair == {"Mali", "Burkina_Faso"}:
            assert edge.closures == [(1, 22)] and edge.border  # closed days 0-21
        elif pair == {"Mali", "Niger"}:
            assert edge.closures == [(1, 33)] and edge.border
        else:
            assert edge.closures == []


def test_burundi_location_and_camp_closures_and_forwarding_hub():
    scenario = load_scenario(flee_scenario(read_flee_conflict(FLEE_DATA / "burundi2015")))
    closed = {(e.source, e.target): e.closures for e in scenario.graph.edges if e.closures}
    # "location,Bujumbura,Lusenda,0,91" closes every route of Bujumbura; "camp,Nduta,,0,101"
    # every route of Nduta; "camp,Lusenda,,0,90" Lusenda's; remove_forced_redirection nothing
    assert closed[("Bujumbura", "Bubanza")] == [(1, 91)]
    assert closed[("Bujumbura", "Lusenda")] == [(1, 91), (1, 90)]
    assert closed[("Gisuru", "Nduta")] == closed[("Nduta", "Nyarugusu")] == [(1, 101)]
    assert len(closed) == 6 + 2 + 1
    assert {n.name: n.type for n in scenario.graph.nodes}["Kagunga"] == "border"


def test_closure_days_become_steps():
    def window(start, end):
        return closed_steps(FleeClosure("link", "A", "B", start, end), 100)

    assert window(0, 30) == [1, 30]  # closed on days 0..29 = steps 1..30
    assert window(10, 5) == [11, -1]  # never reopened (Flee fires the reopening only on day 5)
    assert window(7, 7) is None  # closed and reopened on the same day
    assert window(150, 200) is None  # after the run


def test_conflict_states_follow_flee_rules(tmp_path):
    days = 8
    columns = {"Alpha": [1, 1, 0, 0, 1, 1, 1, 1],   # ends after a 1, restarts on day 4
               "Beta Town": [0, 0.5, 0.5, 0, 0, 0, 0, 0],  # ends only after exactly 1 (Flee)
               "Gamma": [0] * days}               # conflict_date 0 and never in the column
    text = "#Day,Alpha,Beta Town,Gamma\n" + "".join(
        f"{d}," + ",".join(str(columns[c][d]) for c in columns) + "\n" for d in range(days))
    root = write_conflict(tmp_path / "c", {
        "input_csv/sim_period.csv": f"StartDate,2020-01-01\nLength,{days}\n",
        "input_csv/locations.csv": (
            "#name,region,country,latitude,longitude,location_type,conflict_date,population\n"
            "Alpha,R,Homeland,0,0,conflict_zone,3,10\nBeta Town,R,Homeland,0,0,town,,10\n"
            "Gamma,R,Homeland,0,0,conflict_zone,0,10\nCamp Far,R,Homeland,0,0,camp,,10\n"
            "Camp Near,R,Abroad,0,0,camp,,10\n"),
        "input_csv/routes.csv": "#h\nAlpha,Camp Far,5\nBeta Town,Camp Near,5\nGamma,Camp Far,5\n",
        "input_csv/closures.csv": "#h\n",
        "input_csv/conflicts.csv": text,
    })
    states, onset = conflict_states(read_flee_conflict(root))
    assert states[:, 0].tolist() == [1, 1, 0, 0, 1, 1, 1, 1]
    assert onset[:, 0].tolist() == [0, 0, 0, 0, 4, 4, 4, 4]
    assert states[:, 1].tolist() == [0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    assert states[:, 2].tolist() == [1] * days and onset[0, 2] == -1


def test_arrival_counts_carry_a_fall_as_debt(tmp_path):
    root = write_conflict(tmp_path / "c", {
        "input_csv/sim_period.csv": "StartDate,2020-01-01\nLength,6\n",
        "source_data/camp-far.csv": "".join(
            f"2020-01-0{d + 1},{v}\n" for d, v in enumerate([5, 15, 10, 13, 17, 16])),
        "source_data/camp-near.csv": "2020-01-01,0\n",
    })
    assert arrival_counts(read_flee_conflict(root)) == [0, 10, 0, 0, 2, 0]


def test_written_yaml_loads_to_the_same_scenario(tmp_path):
    conflict = read_flee_conflict(write_conflict(tmp_path / "c"))
    path = write_flee_scenario(conflict, tmp_path / "border.yaml")
    assert path.read_text().startswith("# c: imported with")
    assert load_scenario(path) == load_scenario(flee_scenario(conflict))


def test_cli_import_writes_a_scenario_that_prds_run_runs(tmp_path):
    runner = CliRunner()
    out = tmp_path / "border.yaml"
    result = runner.invoke(app, ["import-flee", str(write_conflict(tmp_path / "c")),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    printed = " ".join(result.output.split())  # rich wraps long lines at the terminal width
    assert "4 nodes, 3 edges, 60 daily steps" in printed
    run = runner.invoke(app, ["run", str(out), "--out", str(tmp_path / "run"), "--steps", "10",
                              "--no-plots"])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "run" / "summary.json").exists()


def test_cli_route_to_unknown_location_names_file_and_row(tmp_path):
    root = write_conflict(tmp_path / "c", {"input_csv/routes.csv": (
        "#name1,name2,distance,forced_redirection\nAlpha,Beta Town,100,\nBeta Town,Camp Farr,100,\n")})
    for command in (["import-flee", str(root), "--out", str(tmp_path / "x.yaml")],
                    ["validate", str(root), "--out", str(tmp_path / "v")]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2
        message = " ".join(result.output.split())
        assert "routes.csv, row 3" in message and "unknown location 'Camp Farr'" in message
        assert "did you mean 'Camp Far'" in message
    assert not (tmp_path / "x.yaml").exists()
