"""Sensitivity analysis on functions with known answers, and on incomplete results."""

import numpy as np
import pytest

from simulation.sweeps import Sweep, analyze, build_design

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
