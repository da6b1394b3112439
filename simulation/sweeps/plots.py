"""Figures of a sweep: sensitivity indices, and outcome against each factor.

One figure of indices for the whole sweep (Sobol S1/ST bars, Morris mu*-sigma, or rank
correlations), and per factor one figure of every outcome against it: each run as a dot and
the mean over bins of the factor as a line (a partial-dependence view: the other factors are
averaged over their sampled ranges).
"""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from simulation.sweeps.analysis import Analysis  # noqa: E402

LEVER_COLOUR, UNCERTAINTY_COLOUR = "#d62728", "#1f77b4"


def _grid(n: int, width: float = 4.2, height: float = 3.0):
    cols = min(3, max(1, n))
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _label(factor: str, kind: str) -> str:
    return f"{factor} (lever)" if kind == "lever" else factor


def indices_figure(analysis: Analysis, title: str):
    """Sobol: S1 and ST bars with intervals; Morris: mu* vs sigma; LHS/grid: rank heatmap."""
    table = analysis.table
    outcomes = list(dict.fromkeys(table["outcome"]))
    if analysis.method in ("lhs", "grid"):
        return _rank_heatmap(table, outcomes, title)
    fig, axes = _grid(len(outcomes), height=0.9 + 0.45 * table["factor"].nunique())
    for ax, outcome in zip(axes, outcomes, strict=True):
        rows = table[table["outcome"] == outcome]
        labels = [_label(f, k) for f, k in zip(rows["factor"], rows["kind"], strict=True)]
        if analysis.method == "sobol":
            y = np.arange(len(rows))
            ax.barh(y - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], label="first order S1",
                    color="#9ecae1", capsize=2)
            ax.barh(y + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], label="total ST",
                    color="#3182bd", capsize=2)
            ax.set_yticks(y, labels, fontsize=7)
            ax.invert_yaxis()
            ax.axvline(0, color="black", lw=0.5)
            ax.set_xlabel("Sobol index")
        else:
            colours = [LEVER_COLOUR if k == "lever" else UNCERTAINTY_COLOUR for k in rows["kind"]]
            ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="none",
                        ecolor="grey", lw=0.8)
            ax.scatter(rows["mu_star"], rows["sigma"], c=colours, s=18, zorder=3)
            for x, s, text in zip(rows["mu_star"], rows["sigma"], labels, strict=True):
                ax.annotate(text, (x, s), fontsize=6, xytext=(3, 2), textcoords="offset points")
            ax.set_xlabel("mu* (per whole range)")
            ax.set_ylabel("sigma")
        ax.set_title(outcome, fontsize=9)
    if analysis.method == "sobol" and axes:
        axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _rank_heatmap(table: pd.DataFrame, outcomes: list[str], title: str):
    matrix = table.pivot(index="outcome", columns="factor", values="spearman")
    matrix = matrix.loc[outcomes, list(dict.fromkeys(table["factor"]))]
    fig, ax = plt.subplots(figsize=(1.6 + 1.1 * matrix.shape[1], 1.0 + 0.4 * matrix.shape[0]))
    image = ax.imshow(matrix.to_numpy(dtype=float), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(matrix.shape[1]), matrix.columns, rotation=30, ha="right", fontsize=7)
    ax.set_yticks(range(matrix.shape[0]), matrix.index, fontsize=7)
    for (i, j), value in np.ndenumerate(matrix.to_numpy(dtype=float)):
        if np.isfinite(value):
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=ax, label="Spearman rank correlation")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def factor_figure(results: pd.DataFrame, factor: str, kind: str, outcomes: list[str],
                  bins: int = 10, order: list | None = None):
    """Every outcome against ``factor``: runs as dots, the binned mean as a line.

    ``order`` lists named values in the order to show them (default: sorted)."""
    ok = results[results["status"] == "ok"]
    fig, axes = _grid(len(outcomes), width=3.6, height=2.7)
    x = ok[factor]
    categorical = pd.api.types.is_string_dtype(x) or x.dtype == object
    names = (list(order) if order else sorted(x.unique())) if categorical else []
    position = (x.map({name: i for i, name in enumerate(names)}) if categorical else x).to_numpy(
        dtype=float)
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, position.size) if categorical else 0.0
    colour = LEVER_COLOUR if kind == "lever" else UNCERTAINTY_COLOUR
    for ax, outcome in zip(axes, outcomes, strict=True):
        y = ok[outcome].to_numpy(dtype=float)
        ax.scatter(position + jitter, y, s=6, alpha=0.35, color=colour, lw=0)
        centres, means = binned_means(position, y, bins)
        ax.plot(centres, means, color="black", lw=1.5, marker="o", ms=3)
        ax.set_title(outcome, fontsize=8)
        ax.tick_params(labelsize=7)
        if categorical:
            ax.set_xticks(range(len(names)), names, fontsize=7, rotation=20)
    fig.suptitle(f"outcomes against {_label(factor, kind)} (line: mean over the other factors)",
                 fontsize=9)
    fig.tight_layout()
    return fig


def binned_means(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``y`` per distinct ``x`` (at most ``bins`` of them) or per quantile bin of x."""
    levels = np.unique(x)
    if levels.size <= bins:
        return levels, np.array([y[x == v].mean() for v in levels])
    edges = np.quantile(x, np.linspace(0.0, 1.0, bins + 1))
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    filled = [b for b in range(bins) if np.any(index == b)]
    return (np.array([x[index == b].mean() for b in filled]),
            np.array([y[index == b].mean() for b in filled]))
