"""A calibration trial's loss (``simulation/evidence/trial.py``): the margin that narrows
each band the loss counts from, and a trial with an entry nobody is measured in."""

import shutil

import pytest
from test_calibrate import BASE, LIBRARY, problems, write

from simulation.evidence.calibration_spec import load_calibration


def test_a_margin_narrows_the_band_the_loss_counts_from_but_not_the_pass():
    """A median at the edge of its band passes and has no loss; with a margin of 0.4 of the
    band's half-width it is 0.4 units from the narrowed band; a one-sided band moves by the
    margin times its scale; a margin never narrows a band beyond its centre."""
    from simulation.evidence.schema import Tolerance

    band = Tolerance(low=0.26, high=0.29, how="range")
    assert band.loss(0.26) == 0.0 and band.contains(0.26)
    assert band.loss(0.26, margin=0.4) == pytest.approx(0.4)
    assert band.loss(0.275, margin=0.4) == 0.0  # the centre
    assert band.loss(0.30, margin=0.4) == pytest.approx(1.0 / 1.5 + 0.4)
    one_sided = Tolerance(low=1000, scale=100, how="at least")
    assert one_sided.loss(1010) == 0.0
    assert one_sided.loss(1010, margin=0.25) == pytest.approx(0.15)
    assert band.loss(0.2748, margin=0.99) > 0 and band.loss(0.275, margin=0.99) == 0.0
    assert band.loss(0.275, margin=5.0) == 0.0  # (at most to the centre)


def test_a_calibration_margin_enters_the_trial_loss_and_the_fingerprint(tmp_path):
    """Each trial's loss is against the narrowed bands; a margin makes another study (its
    fingerprint differs), and one of 1 or more is refused with the file, line and key."""
    from simulation.evidence.trial import TrialTask, evaluate_trial

    plain = load_calibration(write(tmp_path, BASE + "replicates: 1\n", "plain.yaml"))
    margin = load_calibration(write(tmp_path, BASE + "replicates: 1\nmargin: 0.5\n", "m.yaml"))
    assert plain.fingerprint() != margin.fingerprint()
    entries = tuple(margin.entries)
    results = [evaluate_trial(TrialTask(0, {"emergency_cover": 0.3}, entries, margin.weights,
                                         1, 0, m)) for m in (0.0, 0.5)]
    entry = entries[0]
    median = results[0]["targets"][entry.id]["median"]
    assert results[0]["loss"] == pytest.approx(entry.spec.tolerance.loss(median))
    assert results[1]["loss"] == pytest.approx(entry.spec.tolerance.loss(median, 0.5))
    assert results[1]["loss"] >= results[0]["loss"]
    path = write(tmp_path, BASE + "margin: 1.0\n", "bad.yaml")
    [(file, line, key, text)] = problems(path)
    assert (file, line, key) == (str(path), 6, "margin") and "less than 1" in text


def test_a_trial_with_an_entry_nobody_is_measured_in_is_recorded_failed_with_a_margin(tmp_path):
    """An entry with nobody measured (none locally integrated at month 1) has no finite
    statistic: the trial is recorded as failed with that reason, with or without a margin
    (the margin's loss is counted from the same median ``evaluate`` scores, never from the
    JSON-safe None it reports)."""
    from simulation.evidence.library import load_entry
    from simulation.evidence.trial import TrialTask, evaluate_trial

    shutil.copy(LIBRARY / "small_base.yaml", tmp_path / "small_base.yaml")
    text = (LIBRARY / "fixture_crisis_share.yaml").read_text(encoding="utf-8")
    text = (text.replace("id: fixture_crisis_share", "id: nobody_integrated")
            .replace("groups: [displaced],", "groups: [displaced], statuses: [locally_integrated],")
            .replace("at: 12}", "at: 1}"))
    (tmp_path / "nobody_integrated.yaml").write_text(text, encoding="utf-8")
    entry = load_entry(tmp_path / "nobody_integrated.yaml")
    for margin in (0.0, 0.25):
        result = evaluate_trial(TrialTask(0, {}, (entry,), {entry.id: 1.0}, 1, 0, margin))
        assert result["targets"][entry.id]["median"] is None
        assert result["error"] == "no finite statistic for nobody_integrated (nobody measured?)"
