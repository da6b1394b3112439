"""The evidence library: entries, study designs, scores, and ``prds evidence`` (issue 14)."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simulation.cli import app
from simulation.evidence import EvidenceError, evaluate, fit_loss, load_entry, load_library
from simulation.evidence.schema import Tolerance
from simulation.sweeps.executors import SerialExecutor, process_pool

RUNNER = CliRunner()

#: the parameters the bundled calibration fits, pinned (as the calibration tests' setting pins
#: them) so that these hand-made settings do not move with a new calibrated set
PINNED = yaml.safe_load((Path(__file__).parent / "calibration_library" / "small_base.yaml")
                        .read_text(encoding="utf-8"))["parameters"]

TINY = {
    "name": "tiny", "steps": 8, "seed": 5, "parameters": PINNED,
    "graph": {
        "nodes": [
            {"name": "Home", "type": "origin", "threat": {0: 0.9, 3: 0.05}, "damage": 0.6,
             "services": 0.5, "labour_demand": 50, "wage": 150, "meb": 40},
            {"name": "Town", "type": "town", "labour_demand": 120, "wage": 200, "meb": 45},
        ],
        "edges": [{"source": "Home", "target": "Town", "distance": 30}],
    },
    "populations": [
        {"group": "displaced", "node": "Town", "origin": "Home", "households": 400,
         "hlp_secure": 0.5, "origin_ties": 0.8, "savings_mean": 20, "assets_mean": 30},
        {"group": "host", "node": "Town", "households": 80},
    ],
}
#: the tiny setting with its origin safe from the second month: returnees to measure (while
#: the origin is unsafe, nobody may return to it, by choice or by a random draw)
RETURNS = {**TINY, "name": "tiny_returns", "graph": {**TINY["graph"], "nodes": [
    {**TINY["graph"]["nodes"][0], "threat": {0: 0.9, 1: 0.05}}, TINY["graph"]["nodes"][1]]}}
CASH = {**TINY, "name": "tiny_cash", "interventions": [
    {"type": "cash", "name": "cash", "transfer": 80, "start": 2, "end": 5,
     "targeting": {"groups": ["displaced"], "share": 0.5, "rule": "random"}}]}


def entry(**design) -> dict:
    base = {"scenario": "cash.yaml", "baseline": "base.yaml", "who": "participants",
            "variable": "consumption", "statistic": "relative_effect", "at": 4}
    return {
        "id": "tiny_entry", "citation": {"text": "A. Author (2020)", "url": "https://example.org"},
        "population": "tiny", "intervention": "cash", "outcome": "consumption",
        "published": {"value": 0.1, "unit": "relative effect", "quote": "+10%"},
        "timing": "month 4", "design": {**base, **design},
        "tolerance": {"low": 0.05, "high": 0.15, "how": "+/- half"}, "use": "fit",
    }


@pytest.fixture
def library(tmp_path):
    """A library folder with the tiny baseline and cash scenarios; ``write(data)`` adds an entry."""
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(TINY))
    (tmp_path / "cash.yaml").write_text(yaml.safe_dump(CASH))
    (tmp_path / "returns.yaml").write_text(yaml.safe_dump(RETURNS))

    def write(data: dict) -> Path:
        path = tmp_path / f"{data['id']}.yaml"
        path.write_text(yaml.safe_dump(data))
        return path
    return tmp_path, write


# --- the bundled library ----------------------------------------------------------------------
def test_bundled_library_loads_with_fitted_and_tested_entries():
    entries = load_library()
    assert len(entries) >= 15
    assert all(e.file.stem == e.id for e in entries)
    tested = [e for e in entries if e.use == "test"]
    assert 0.25 <= len(tested) / len(entries) < 0.5  # a third or more never enter the loss
    for e in entries:  # every entry cites a doi or url and says how its band was derived
        assert e.spec.citation.doi or e.spec.citation.url
        assert e.spec.tolerance.how and e.spec.published.quote


def test_calibration_files_beside_the_entries_are_not_entries(tmp_path):
    (tmp_path / "calibration.yaml").write_text("parameters: {flight_rate: {low: 0, high: 1}}\n")
    with pytest.raises(EvidenceError, match="no evidence entries"):
        load_library(tmp_path)


# --- bad entries are clear errors ---------------------------------------------------------------
@pytest.mark.parametrize("change, message", [
    ({"tolerance": {"low": 0.1, "how": "open"}}, "open on one side needs a scale"),
    ({"design": {**entry()["design"], "baseline": None}}, "needs a paired baseline"),
    ({"design": {**entry()["design"], "variable": "happiness"}}, "unknown measure 'happiness'"),
    ({"design": {**entry()["design"], "at": 99}}, "beyond the 8 steps"),
    ({"design": {**entry()["design"], "statistic": "share"}}, "needs an effect statistic"),
    ({"citation": {"text": "no link"}}, "doi or a url"),
    ({"use": "both"}, "use"),
    ({"colour": "red"}, "colour"),
])
def test_bad_entry_names_the_file_and_the_problem(library, change, message):
    folder, write = library
    path = write({**entry(), **change})
    with pytest.raises(EvidenceError) as error:
        load_entry(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_entry_whose_scenario_is_missing_or_broken_is_reported(library):
    folder, write = library
    path = write(entry(scenario="nowhere.yaml"))
    with pytest.raises(EvidenceError, match="no scenario file"):
        load_entry(path)
    (folder / "broken.yaml").write_text("name: broken\ngraph: {nodes: [{name: A, type: cave}]}\n")
    with pytest.raises(EvidenceError, match="design.scenario"):
        load_entry(write(entry(scenario="broken.yaml")))


# --- scores -------------------------------------------------------------------------------------
def test_tolerance_loss_is_zero_inside_and_counts_half_widths_outside():
    band = Tolerance(low=0.1, high=0.3, how="x")
    assert band.loss(0.2) == 0.0 and band.contains(0.1) and band.contains(0.3)
    assert band.loss(0.4) == pytest.approx(1.0)  # one half-width above
    assert band.loss(0.0) == pytest.approx(1.0)
    one_sided = Tolerance(low=0.5, scale=0.25, how="persists")
    assert one_sided.loss(10.0) == 0.0 and one_sided.loss(0.0) == pytest.approx(2.0)
    assert math.isinf(band.loss(math.nan)) and not band.contains(math.nan)


def test_a_programme_that_changes_nothing_has_an_effect_of_exactly_zero(library):
    """Participants are compared with the same households in the paired baseline (same rows,
    same seed), so a transfer of zero is no effect at all, not noise."""
    folder, write = library
    zero = {**CASH, "interventions": [{**CASH["interventions"][0], "transfer": 0}]}
    (folder / "zero.yaml").write_text(yaml.safe_dump(zero))
    result, = evaluate([load_entry(write(entry(scenario="zero.yaml")))], replicates=3)
    assert result.replicates == [0.0, 0.0, 0.0]
    assert result.model == {"median": 0.0, "p10": 0.0, "p90": 0.0}
    assert not result.pass_ and result.loss == pytest.approx(1.0)  # 0 is one half-width below


def test_cash_raises_participants_consumption_while_paid(library):
    folder, write = library
    e = load_entry(write(entry()))
    result, = evaluate([e], replicates=3)
    series = np.array(result.series["median"], dtype=float)
    assert (series[1:5] > 0).all()  # paid in months 2-5 (partly replacing credit at first)
    assert result.series["step"] == list(range(1, 9))
    assert result.model["median"] == pytest.approx(series[3])
    assert result.document()["pass"] == result.pass_


def test_same_numbers_in_process_and_in_a_process_pool(library):
    folder, write = library
    entries = [load_entry(write(entry()))]
    serial = evaluate(entries, replicates=3, seed=7, executor=SerialExecutor())
    with process_pool(2) as pool:
        pooled = evaluate(entries, replicates=3, seed=7, executor=pool)
    assert serial[0].replicates == pooled[0].replicates
    assert serial[0].series == pooled[0].series


def test_parameters_override_every_scenario_of_the_entry(library):
    folder, write = library
    entries = [load_entry(write(entry(variable="savings", statistic="effect", at=6)))]
    low = evaluate(entries, replicates=2, parameters={"savings_rate": 0.05})[0]
    high = evaluate(entries, replicates=2, parameters={"savings_rate": 0.9})[0]
    assert high.model["median"] > low.model["median"] > 0


def test_fit_loss_ignores_test_entries(library):
    folder, write = library
    fit = load_entry(write(entry()))
    test = load_entry(write({**entry(), "id": "tiny_test", "use": "test",
                             "tolerance": {"low": 5.0, "high": 6.0, "how": "impossible"}}))
    results = evaluate([fit, test], replicates=2)
    assert results[1].loss > 5
    assert fit_loss(results) == pytest.approx(results[0].loss)


def test_survey_designs_share_and_conditional_share(library):
    """A cross-sectional design reads the households of the named groups and statuses at
    each step; a conditional share reads one measure among those with another."""
    folder, write = library
    share = write({**entry(), "id": "tiny_share", "design": {
        "scenario": "base.yaml", "who": "population", "groups": ["displaced"],
        "variable": "in_debt", "statistic": "share", "at": 6}})
    damaged = write({**entry(), "id": "tiny_damage", "design": {
        "scenario": "returns.yaml", "who": "population", "statuses": ["returned"],
        "variable": "home_damaged", "among": "home_unusable", "statistic": "conditional_share",
        "at": 8}})
    results = {r.id: r for r in evaluate([load_entry(p) for p in (share, damaged)],
                                         replicates=2)}
    assert 0.0 <= results["tiny_share"].model["median"] <= 1.0
    assert 0.0 < results["tiny_damage"].model["median"] <= 1.0  # returnees came home to damage


def test_cutoff_design_finds_the_jump_at_a_targeting_threshold(library):
    """Cash to the 60 poorest displaced households (by wealth before the first step): a
    regression discontinuity at the 60th household's wealth sees the whole transfer."""
    from simulation.model import PRDSModel
    from simulation.scenario import load_scenario

    folder, write = library
    poorest = {**TINY, "name": "poorest", "interventions": [
        {"type": "cash", "name": "cash", "transfer": 80, "start": 1, "end": 5,
         "targeting": {"groups": ["displaced"], "count": 60, "rule": "poorest_first"}}]}
    (folder / "poorest.yaml").write_text(yaml.safe_dump(poorest))
    from simulation.compare.seeds import replicate_seeds

    seed, = replicate_seeds(0, 1)  # the households of evaluate's first replicate
    model = PRDSModel(load_scenario(folder / "poorest.yaml"), seed=seed, with_agents=False)
    hh = model.households
    wealth = np.sort((hh.savings + hh.assets + hh.income)[hh.group == 0])  # displaced rows
    threshold = float((wealth[59] + wealth[60]) / 2)
    path = write({**entry(), "id": "tiny_cutoff", "design": {
        "scenario": "poorest.yaml", "who": "cutoff", "groups": ["displaced"], "variable": "aid",
        "statistic": "discontinuity", "assignment": "wealth", "threshold": threshold,
        "bandwidth": 1e6, "at": 2}})
    result, = evaluate([load_entry(path)], replicates=1, seed=0)
    assert result.model["median"] == pytest.approx(-80.0)  # above the line: no cash


# --- the command --------------------------------------------------------------------------------
def test_prds_evidence_writes_the_files_and_exits_1_when_a_target_fails(library, tmp_path):
    folder, write = library
    write({**entry(), "id": "tiny_impossible",
           "tolerance": {"low": 5.0, "high": 6.0, "how": "impossible on purpose"}})
    out = tmp_path / "out"
    result = RUNNER.invoke(app, ["evidence", "--library", str(folder), "--out", str(out),
                                 "--replicates", "2", "--workers", "1"])
    assert result.exit_code == 1, result.output
    document = json.loads((out / "evidence.json").read_text())
    target, = document["targets"]
    assert set(target) >= {"id", "source", "published", "model", "tolerance", "pass", "use"}
    assert set(target["model"]) == {"median", "p10", "p90"} and target["pass"] is False
    page = (out / "evidence.html").read_text()
    assert "tiny_impossible" in page and "data:image/png;base64," in page


def test_prds_evidence_on_a_bad_library_is_a_clear_error(library):
    folder, write = library
    write({**entry(), "use": "sometimes"})
    result = RUNNER.invoke(app, ["evidence", "--library", str(folder), "--out", str(folder / "o")])
    assert result.exit_code == 2
    assert "tiny_entry.yaml" in result.output and "use" in result.output


#: targets the calibrated defaults do not reproduce yet (issue 14 stays open for them; README
#: "Evidence" says why for each). The test fails when any other target fails, so a change
#: that loses a reproduced result is caught; remove an id here once it passes.
NOT_YET_REPRODUCED = {"cash_for_work_income", "vasyr_below_poverty_2018",
                      "dtm_iraq_returnees_elsewhere"}


@pytest.mark.slow
def test_every_bundled_target_passes_but_those_not_yet_reproduced():
    """``prds evidence`` on the whole library (3 paired replicates, 2 workers): fails when a
    published result that the calibrated defaults reproduced is no longer reproduced, or
    when one listed as not yet reproduced now is (so the list stays true)."""
    out = Path("out") / "test-evidence"
    RUNNER.invoke(app, ["evidence", "--out", str(out), "--replicates", "3", "--workers", "2"])
    targets = json.loads((out / "evidence.json").read_text())["targets"]
    failed = {t["id"] for t in targets if not t["pass"]}
    assert failed - NOT_YET_REPRODUCED == set(), f"targets no longer reproduced: {failed}"
    assert NOT_YET_REPRODUCED - failed == set(), (
        f"now reproduced, remove from NOT_YET_REPRODUCED: {NOT_YET_REPRODUCED - failed}")


def test_each_result_says_how_many_households_it_measured(library):
    """Participants: the half of the 400 displaced the cash reaches; a population share over
    the displaced still in the town: at most the 400; a conditional share over returnees
    whose home is unusable: only those (few), so a reader sees a share of a handful."""
    folder, write = library
    paid, = evaluate([load_entry(write(entry()))], replicates=2)
    assert paid.households == [200, 200] and paid.households_measured == 200
    assert paid.document()["households"] == 200
    share, = evaluate([load_entry(write(entry(
        scenario="base.yaml", baseline=None, who="population", groups=["displaced"],
        statistic="share", variable="in_debt")))], replicates=2)
    assert share.households == [400, 400]  # the displaced group, whatever their status
    damage, = evaluate([load_entry(write(entry(
        scenario="returns.yaml", baseline=None, who="population", groups=["displaced"],
        statuses=["returned"], variable="home_damaged", among="home_unusable",
        statistic="conditional_share", at=8)))], replicates=2)
    assert all(0 < n < 400 for n in damage.households), damage.households
    assert not paid.few_households and not share.few_households
    assert damage.few_households  # a couple of returnees in this tiny setting: flagged
