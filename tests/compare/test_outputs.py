"""comparison.json has the documented shape; the report opens and holds every scenario."""

import json
from html.parser import HTMLParser

import pytest
from compare_fixtures import CASH, scenario, write
from typer.testing import CliRunner

from simulation.cli import app
from simulation.compare import compare
from simulation.compare.stats import COST_OUTCOMES
from simulation.outputs.summary import OUTCOME_KEYS

BAND = {"median", "p10", "p90"}


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    graduation = [{"type": "graduation", "targeting": {"groups": ["displaced"]}}]
    result = compare([scenario("base"), scenario("cash", CASH), scenario("graduation", graduation)],
                     replicates=3, workers=1)
    result.write(out)
    return result, out


def test_comparison_json_has_the_documented_shape(compared):
    result, out = compared
    doc = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert doc["baseline"] == "base" and doc["replicates"] == 3
    assert set(doc["scenarios"]) == {"base", "cash", "graduation"}
    for name, entry in doc["scenarios"].items():
        assert set(entry) >= {"outcomes", "difference", "cost"}
        for part in ("outcomes", "difference"):
            assert set(entry[part]) == set(OUTCOME_KEYS)
            for key, b in entry[part].items():
                assert set(b) == BAND and b["p10"] <= b["median"] <= b["p90"], (name, part, key)
        cost = entry["cost"]
        assert set(cost["total"]) == BAND
        assert set(cost["per_outcome"]) == set(COST_OUTCOMES)
        for item in cost["per_outcome"].values():
            assert set(item["effect_households"]) == BAND
            assert item["usd_per_outcome"] is None or item["usd_per_outcome"] >= 0
    assert doc["scenarios"]["base"]["difference"]["self_reliant_share"]["median"] == 0.0
    assert len(doc["seeds"]) == 3 and "SeedSequence" in doc["seed_scheme"]


def test_cost_per_outcome_is_null_without_a_gain(compared):
    result, _ = compared
    for item in result.document["scenarios"]["base"]["cost"]["per_outcome"].values():
        assert item["usd_per_outcome"] is None and item["note"].startswith("n/a")
    cash = result.document["scenarios"]["cash"]["cost"]
    assert cash["total"]["median"] > 0
    for item in cash["per_outcome"].values():
        effect = item["effect_households"]["median"]
        if effect < 0.5:
            assert item["usd_per_outcome"] is None
        else:
            assert item["usd_per_outcome"] == pytest.approx(cash["total"]["median"] / effect)


class Outline(HTMLParser):
    """Collects headings, table cells and images of an HTML document."""

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.images, self.tables = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag == "table":
            self.tables += 1

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_report_opens_holds_every_scenario_and_embeds_its_plots(compared):
    result, out = compared
    page = Outline()
    page.feed((out / "report.html").read_text(encoding="utf-8"))
    page.close()
    text = " ".join(page.text)
    for name in ("base", "cash", "graduation"):
        assert name in text
    for section in ("Scenarios side by side", "Difference from the baseline", "Cost and "
                    "cost-effectiveness", "Flows between nodes", "Assumptions"):
        assert section in text
    assert page.tables >= 5
    assert len(page.images) == 7 and all(src.startswith("data:image/png;base64,")
                                        for src in page.images)
    assert "not a page" not in text
    for png in ("outcomes.png", "differences.png", "timeseries.png", "difference_timeseries.png",
                "coping.png", "flows.png", "cost_effectiveness.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "SeedSequence" in text and "3 paired replicates" in text


def test_prds_compare_writes_the_files_and_prints_a_table(tmp_path):
    base, cash = write(tmp_path, scenario("base")), write(tmp_path, scenario("cash", CASH))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["compare", str(base), str(cash), "--replicates", "2",
                                      "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "comparison.json").exists() and (out / "report.html").exists()
    assert "paired replicates" in result.output and "cash" in result.output
    doc = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert doc["scenarios"]["cash"]["file"] == str(cash)


def test_prds_compare_rejects_a_bad_file_naming_key_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    data = scenario("bad", [{"type": "cash", "tranfer": 5}])
    bad.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML: one line
    base = write(tmp_path, scenario("base"))
    result = CliRunner().invoke(app, ["compare", str(base), str(bad), "--replicates", "1"])
    assert result.exit_code == 2
    assert f"{bad}:1" in result.output and "interventions[0].tranfer" in result.output
