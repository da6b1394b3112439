"""Plots of a comparison (matplotlib, no display): each function returns a Figure.

Bands are the 10-90% range across paired replicates, lines and dots the median.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simulation.compare import stats  # noqa: E402
from simulation.outputs.plots import COPING_COLOURS, COPING_LABELS  # noqa: E402

#: outcomes drawn side by side (shares of households unless said)
HEADLINE = ("self_reliant_share", "harmful_coping_share", "emergency_coping_share",
            "aid_dependent_share", "durable_solution_share", "irregular_migration",
            "returned", "involuntary_immobility_share", "mean_rsi")
#: series drawn over time, with their axis labels
SERIES = {
    "self_reliant_share": "self-reliant (share)",
    "harmful_coping_share": "crisis or emergency coping (share)",
    "emergency_coping_share": "emergency coping (share)",
    "mean_income_displaced": "displaced: earned income (USD/step)",
    "mean_aid_displaced": "displaced: aid (USD/step)",
    "returned": "returned (share)",
}
COLOURS = plt.get_cmap("tab10").colors


def colour(i: int):
    return COLOURS[i % len(COLOURS)]


def outcomes(comparison, difference: bool = False):
    """Median and 10-90% band of each headline outcome, scenarios side by side."""
    doc = comparison.document["scenarios"]
    names = comparison.names[1:] if difference else comparison.names
    keys = HEADLINE
    cols = 3
    rows = int(np.ceil(len(keys) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 0.45 * len(names) * rows + 1.6 * rows),
                             squeeze=False)
    part = "difference" if difference else "outcomes"
    for ax, key in zip(axes.flat, keys, strict=False):
        for i, name in enumerate(names):
            b = doc[name][part][key]
            y = len(names) - 1 - i
            ax.errorbar(b["median"], y, xerr=[[b["median"] - b["p10"]], [b["p90"] - b["median"]]],
                        fmt="o", color=colour(i + (1 if difference else 0)), capsize=3)
        if difference:
            ax.axvline(0.0, color="#444", lw=0.8)
        ax.set_yticks(range(len(names)), list(reversed(names)), fontsize=8)
        ax.set_title(key + (" (difference)" if difference else ""), fontsize=9)
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle("Difference from the baseline (paired, median and 10-90%)" if difference
                 else "Outcomes at the last step (median and 10-90% across replicates)", fontsize=11)
    fig.tight_layout()
    return fig


def time_series(comparison, difference: bool = False):
    """Series over time with bands; or the paired difference from the baseline."""
    names = comparison.names
    base = comparison.runs[0]
    index = range(1, len(names)) if difference else range(len(names))
    fig, axes = plt.subplots(2, 3, figsize=(14, 7.5), squeeze=False)
    for ax, (key, label) in zip(axes.flat, SERIES.items(), strict=False):
        for i in index:
            runs = comparison.runs[i]
            steps = runs[0].series["step"]
            b = stats.series_bands(runs, key, base if difference else None)
            ax.plot(steps, b["median"], color=colour(i), lw=1.6, label=names[i])
            ax.fill_between(steps, b["p10"], b["p90"], color=colour(i), alpha=0.18, lw=0)
        if difference:
            ax.axhline(0.0, color="#444", lw=0.8)
        ax.set_title(("difference: " if difference else "") + label, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize=8)
    fig.suptitle("Difference from the baseline over time (paired, median and 10-90%)" if difference
                 else "Over time (median and 10-90% across replicates)", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def coping_levels(comparison):
    """Median share of households at each WFP LCS level over time, one panel a scenario."""
    names = comparison.names
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.2 * rows), squeeze=False,
                             sharey=True)
    keys = ("lcs_none", "lcs_stress", "lcs_crisis", "lcs_emergency")
    for ax, name, runs in zip(axes.flat, names, comparison.runs, strict=False):
        steps = runs[0].series["step"]
        shares = np.array([np.median(np.stack([r.series[k] for r in runs]), axis=0) for k in keys])
        ax.stackplot(steps, shares, colors=COPING_COLOURS, labels=COPING_LABELS)
        ax.set_title(name, fontsize=9)
        ax.set_ylim(0, 1)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    axes.flat[0].legend(loc="lower left", fontsize=7)
    fig.suptitle("Coping levels (WFP LCS), median share of households", fontsize=11)
    fig.tight_layout()
    return fig


def flows(comparison, node_names: list[str]):
    """Median households moving between nodes over the run, one heat map a scenario."""
    names = comparison.names
    cols = min(3, len(names))
    rows = int(np.ceil(len(names) / cols))
    size = max(3.6, 0.42 * len(node_names) + 1.8)
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows), squeeze=False,
                             layout="constrained")
    matrices = [stats.median_flows(runs) for runs in comparison.runs]
    top = max(1.0, max(float(m.max()) for m in matrices))
    for ax, name, matrix in zip(axes.flat, names, matrices, strict=False):
        image = ax.imshow(matrix, cmap="Blues", vmin=0, vmax=top)
        ax.set_xticks(range(len(node_names)), node_names, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(range(len(node_names)), node_names, fontsize=7)
        ax.set_xlabel("to", fontsize=8)
        ax.set_ylabel("from", fontsize=8)
        ax.set_title(name, fontsize=9)
        for (i, j), value in np.ndenumerate(matrix):
            if value > 0:
                ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=6,
                        color="white" if value > top / 2 else "black")
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6, label="households (median)")
    fig.suptitle("Flows between nodes over the run", fontsize=11)
    return fig


def cost_effectiveness(comparison):
    """Cost per outcome (USD) of each scenario against the baseline; n/a where no gain."""
    doc = comparison.document["scenarios"]
    names = comparison.names[1:]
    keys = list(stats.COST_OUTCOMES)
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 0.5 * max(len(names), 1) + 2),
                             squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=True):
        for i, name in enumerate(names):
            y = len(names) - 1 - i
            value = doc[name]["cost"]["per_outcome"][key]["usd_per_outcome"]
            if value is None:
                ax.text(0, y, " n/a (no gain)", va="center", fontsize=8, color="#777")
            else:
                ax.barh(y, value, color=colour(i + 1))
                ax.text(value, y, f" {value:,.0f}", va="center", fontsize=8)
        ax.set_yticks(range(len(names)), list(reversed(names)), fontsize=8)
        ax.set_title(stats.COST_OUTCOMES[key][0], fontsize=9)
        ax.set_xlabel("USD", fontsize=8)
        ax.tick_params(axis="x", labelsize=8)
        ax.margins(x=0.35)
    fig.suptitle("Cost per outcome (median cost / median paired effect)", fontsize=11)
    fig.tight_layout()
    return fig
