"""The regression baseline (simulation/baseline.py): behaviour changes only on purpose.

If a test here fails after an intended change of behaviour, regenerate the file with
``prds baseline --update`` and commit it with the change.
"""

import json

import pytest
from typer.testing import CliRunner

from simulation import baseline
from simulation.cli import app


@pytest.fixture(scope="module")
def stored():
    assert baseline.BASELINE.exists(), "no baseline: run `prds baseline --update`"
    return baseline.read()


@pytest.fixture(scope="module")
def fresh():
    return baseline.compute()


def test_baseline_covers_every_bundled_scenario(stored):
    bundled = {baseline._key(p) for p in baseline.bundled_scenarios()}
    assert "default.yaml" in bundled
    assert set(stored["scenarios"]) == bundled, "regenerate: prds baseline --update"
    assert stored["seeds"] == list(baseline.SEEDS) and stored["steps"] == baseline.STEPS


def test_bundled_scenarios_match_the_baseline(stored, fresh):
    changed = baseline.differences(stored, fresh)
    assert not changed, ("behaviour changed without regenerating the baseline "
                         "(prds baseline --update):\n  " + "\n  ".join(changed[:30]))


def test_a_change_of_behaviour_is_caught(stored, tmp_path):
    variant = tmp_path / "variant.yaml"
    default = baseline.SCENARIOS_DIR / "default.yaml"
    variant.write_text(f"extends: {str(default)!r}\nparameters: {{flight_rate: 0.3}}\n")
    changed = baseline.differences(stored["scenarios"]["default.yaml"]["1"],
                                   baseline.entry(variant, 1))
    assert any("metrics" in line for line in changed)


def test_differences_tolerate_rounding_but_not_change():
    assert baseline.differences({"a": [1.0, 2]}, {"a": [1.0 + 1e-13, 2]}) == []
    assert baseline.differences({"a": [1.0, 2]}, {"a": [1.0 + 1e-6, 2]}) == [
        "/a[0]: 1.0 stored, 1.000001 now"]
    assert baseline.differences({"a": 1}, {"a": 2, "b": 3}) == [
        "/b: new (not in the baseline)", "/a: 1 stored, 2 now"]


def test_the_command_rewrites_and_checks_the_file(tmp_path):
    path = tmp_path / "summaries.json"
    runner = CliRunner()
    args = ["baseline", "--path", str(path), "--only", "default.yaml"]
    written = runner.invoke(app, [*args, "--update"])
    assert written.exit_code == 0, written.output
    document = json.loads(path.read_text())
    assert list(document["scenarios"]) == ["default.yaml"]
    assert runner.invoke(app, args).exit_code == 0
    document["scenarios"]["default.yaml"]["2"]["metrics"][3]["mean_rsi"] += 0.01
    path.write_text(json.dumps(document))
    checked = runner.invoke(app, args)
    assert checked.exit_code == 1
    assert "/scenarios/default.yaml/2/metrics[3]/mean_rsi" in checked.output
    assert "prds baseline --update" in checked.output
