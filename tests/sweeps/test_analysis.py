"""Sensitivity analysis on functions with known answers, and on incomplete results."""

import numpy as np
import pandas as pd
import pytest

from simulation.sweeps import Sweep, analyze, build_design, write_analysis

PI = float(np.pi)


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami and Homma (1990): the standard test function of Sobol analysis."""
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def three_factor_sweep(method: str, samples: int, low=-PI, high=PI) -> Sweep:
    return Sweep.model_validate({
        "name": "known", "scenario": {}, "seed": 3,
        "design": {"method": method, "samples": samples},
        "uncertainties": {"x1": {"low": low, "high": high}, "x2": {"low": low, "high": high}},
        "levers": {"x3": {"low": low, "high": high}},
        "outcomes": ["mean_rsi", "cost_total"],
    })


def results_for(design, y, constant=0.0):
    return design.runs.assign(status="ok", error=None, mean_rsi=y, cost_total=constant)


def test_sobol_indices_of_ishigami_match_the_analytic_values():
    sweep = three_factor_sweep("sobol", 2048)
    design = build_design(sweep)
    x = design.runs[["x1", "x2", "x3"]].to_numpy()
    analysis = analyze(sweep, design, results_for(design, ishigami(x)))
    table = analysis.table.set_index("factor")
    # analytic values for a = 7, b = 0.1 (Ishigami and Homma 1990; Saltelli et al. 2008)
    assert table["S1"].to_numpy() == pytest.approx([0.3139, 0.4424, 0.0], abs=0.03)
    assert table["ST"].to_numpy() == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.03)
    assert (table["S1_conf"] > 0).all() and (table["S1_conf"] < 0.1).all()
    assert (table["ST_conf"] > 0).all()
    assert table.loc["x3", "kind"] == "lever" and table.loc["x1", "kind"] == "uncertainty"
    assert "cost_total is the same in every run: no indices" in analysis.notes


def test_second_order_sobol_finds_the_x1_x3_interaction_of_ishigami():
    sweep = three_factor_sweep("sobol", 1024)
    sweep = sweep.model_copy(update={"design": sweep.design.model_copy(
        update={"second_order": True})})
    design = build_design(sweep)
    assert len(design.points) == 1024 * (2 * 3 + 2)
    x = design.runs[["x1", "x2", "x3"]].to_numpy()
    pairs = analyze(sweep, design, results_for(design, ishigami(x))).second_order
    s2 = pairs.set_index(["factor", "other"])["S2"]
    # analytic: S13 = 0.2437, S12 = S23 = 0 (Ishigami and Homma 1990)
    assert s2[("x1", "x3")] == pytest.approx(0.2437, abs=0.08)
    assert abs(s2[("x1", "x2")]) < 0.08 and abs(s2[("x2", "x3")]) < 0.08


def test_morris_effects_of_a_linear_function_are_its_slopes():
    """y = 3 x1 + x2 + 0 x3 on [0, 1]: mu* = (3, 1, 0) per whole range, sigma 0."""
    sweep = three_factor_sweep("morris", 20, low=0.0, high=1.0)
    design = build_design(sweep)
    x = design.runs[["x1", "x2", "x3"]].to_numpy()
    table = analyze(sweep, design, results_for(design, 3 * x[:, 0] + x[:, 1])).table
    assert table["mu_star"].to_numpy() == pytest.approx([3.0, 1.0, 0.0], abs=1e-9)
    assert table["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_rank_correlation_for_lhs():
    sweep = three_factor_sweep("lhs", 200)
    design = build_design(sweep)
    x = design.runs[["x1", "x2", "x3"]].to_numpy()
    table = analyze(sweep, design, results_for(design, x[:, 0] - 0.01 * x[:, 2])).table
    rho = table.set_index("factor")["spearman"]
    assert rho["x1"] > 0.99 and abs(rho["x2"]) < 0.2


def test_failed_points_block_indices_with_a_note():
    sweep = three_factor_sweep("sobol", 64)
    design = build_design(sweep)
    x = design.runs[["x1", "x2", "x3"]].to_numpy()
    results = results_for(design, ishigami(x))
    results.loc[5, ["status", "error", "mean_rsi"]] = ["failed", "RuntimeError: boom", np.nan]
    analysis = analyze(sweep, design, results)
    assert analysis.table.empty
    assert analysis.notes == ["1 of 320 points have no successful run: sobol indices need them "
                              "all (rerun with --resume to retry failures)"]


@pytest.mark.parametrize(("method", "samples", "figure"), [
    ("morris", 6, "morris.png"), ("lhs", 40, "ranks.png"), ("grid", 4, "ranks.png"),
    ("sobol", 8, "sobol.png")])
def test_analysis_files_for_every_design(tmp_path, method, samples, figure):
    sweep = Sweep.model_validate({
        "name": "files", "scenario": {}, "seed": 1, "replicates": 2,
        "design": {"method": method, "samples": samples},
        "uncertainties": {"a": {"low": 0, "high": 1}, "b": {"distribution": "normal",
                                                            "mean": 0, "sd": 1}},
        "levers": {"policy": {"values": ["none", "cash", "graduation"]}},
        "outcomes": ["mean_rsi", "cost_total"],
    })
    design = build_design(sweep)
    runs = design.runs
    effect = runs["policy"].map({"none": 0.0, "cash": 1.0, "graduation": 2.0}).to_numpy()
    y = 2 * runs["a"].to_numpy() + effect + 0.1 * runs["replicate"].to_numpy()
    results = runs.assign(status="ok", error=None, mean_rsi=y, cost_total=effect * 100)
    analysis, written = write_analysis(tmp_path, sweep, design, results)
    names = {path.name for path in written}
    assert {figure, "sensitivity.parquet", "sensitivity.csv", "notes.json",
            "factor_a.png", "factor_b.png", "factor_policy.png"} <= names
    for path in written:
        assert path.exists() and path.stat().st_size > 0
    table = pd.read_parquet(tmp_path / "analysis" / "sensitivity.parquet")
    assert len(table) == 3 * 2 and set(table["kind"]) == {"uncertainty", "lever"}
    assert not list((tmp_path / "analysis").glob(".*.tmp"))
    if method in ("lhs", "grid"):  # named values rank in the order listed: none < cash < ...
        rho = table[(table["outcome"] == "cost_total")].set_index("factor")["spearman"]
        assert rho["policy"] > 0.9
