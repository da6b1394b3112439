"""Plots of a validation run: simulated vs observed persons per camp, and the daily error."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simulation.validation.ard import averaged_relative_difference  # noqa: E402


def camps_figure(conflict, counts: np.ndarray, report: dict):
    """One panel per camp: observed (UNHCR) and simulated (replicate mean, min-max band)."""
    camps = list(conflict.camp_names)
    cols = min(3, len(camps))
    rows = int(np.ceil(len(camps) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False,
                             sharex=True)
    days = np.arange(conflict.length_days)
    for k, camp in enumerate(camps):
        ax = axes[k // cols][k % cols]
        sims = counts[:, k, :]
        ax.fill_between(days, sims.min(axis=0), sims.max(axis=0), color="#1f77b4", alpha=0.25,
                        linewidth=0)
        ax.plot(days, sims.mean(axis=0), color="#1f77b4", label="simulated")
        ax.plot(days, conflict.observed[camp], color="black", linestyle="--", label="observed")
        ax.set_title(camp, fontsize=10)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    for k in range(len(camps), rows * cols):
        axes[k // cols][k % cols].axis("off")
    for ax in axes[-1]:
        ax.set_xlabel(f"days from {conflict.start_date}")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"{conflict.name}: persons per camp, ARD {report['ard']:.3f} "
                 f"({report['replicates']} replicate(s))")
    fig.tight_layout()
    return fig


def error_figure(conflict, counts: np.ndarray, report: dict):
    """Flee's daily error E(t) of each replicate, with the ARD and Flee's reference range."""
    camps = list(conflict.camp_names)
    observed = {c: conflict.observed[c] for c in camps}
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for replicate in counts:
        result = averaged_relative_difference(dict(zip(camps, replicate, strict=True)), observed)
        ax.plot(result.daily_error, color="#1f77b4", alpha=0.6, linewidth=0.8)
    ax.axhline(report["ard"], color="#1f77b4", linestyle="--", label=f"ARD {report['ard']:.3f}")
    reference = report["flee_reference"]["ard"]
    if reference:
        label = (f"Flee {reference[0]:.2f}" if reference[0] == reference[1]
                 else f"Flee {reference[0]:.2f}-{reference[1]:.2f}")
        ax.axhspan(reference[0], max(reference[1], reference[0] + 0.004), color="#d62728",
                   alpha=0.2, label=label)
    ax.set(xlabel=f"days from {conflict.start_date}", ylabel="E(t)",
           title=f"{conflict.name}: daily error E(t)", ylim=(0, None))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
