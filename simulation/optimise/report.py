"""``optimise.html``: the Pareto front, the levers of the best mixes, hypervolume by generation,
and the best mixes against each programme alone at the same budget.

One self-contained file, plots embedded as PNG as the comparison report does (its HTML pieces
and styles are reused: ``simulation.report.document``); the plots are also written beside it.
"""

import itertools
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from simulation.compare.stats import band  # noqa: E402
from simulation.optimise.measures import TAIL  # noqa: E402
from simulation.optimise.outputs import named_rows  # noqa: E402
from simulation.optimise.search import OptimisationResult  # noqa: E402
from simulation.outputs import files  # noqa: E402
from simulation.report.document import CSS, esc, image, render_png, table  # noqa: E402
from simulation.sweeps.factors import Values  # noqa: E402

COLOURS = plt.get_cmap("tab10").colors


def write_report(result: OptimisationResult, out_dir: str | Path, document: dict) -> list[Path]:
    """Write ``optimise.html`` and its PNG plots into ``out_dir``; return the paths."""
    out = Path(out_dir)
    images = {
        "pareto_front.png": ("The Pareto front: every feasible candidate, by pairs of objectives",
                             render_png(pareto_front(result))),
        "levers.png": ("Levers of the Pareto mixes (chosen mixes numbered), each axis from its "
                       "range's low (bottom) to high (top)", render_png(levers(result))),
        "hypervolume.png": ("Hypervolume of the front known after each generation",
                            render_png(hypervolume(result))),
        "versus_alone.png": ("The best mixes against each programme alone at the same budget",
                             render_png(versus_alone(result))),
    }
    written = [files.atomic_write(out / name, lambda tmp, data=data: tmp.write_bytes(data))
               for name, (_, data) in images.items()]
    written.append(files.write_text(out / "optimise.html", build_html(result, images, document)))
    return written


# --- figures ------------------------------------------------------------------------------------
def _stat(result, key: str) -> str:
    return f"{key}_{result.problem.robustness}"


def pareto_front(result: OptimisationResult):
    frame = result.evaluations
    keys = list(result.problem.objectives)
    pairs = list(itertools.combinations(keys, 2)) or [(keys[0], keys[0])]
    cols = min(3, len(pairs))
    rows = int(np.ceil(len(pairs) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.9 * rows), squeeze=False)
    ok = frame[frame["within_budget"]]
    groups = [("search", ok[ok["kind"] == "search"], dict(color="#bbb", s=12)),
              ("Pareto front", ok[ok["pareto"]], dict(color=COLOURS[0], s=22)),
              ("programme alone", ok[ok["kind"] == "corner"], dict(color=COLOURS[3], s=50,
                                                                   marker="s")),
              ("even split", ok[ok["kind"] == "even"], dict(color=COLOURS[1], s=60, marker="D"))]
    chosen = result.chosen
    for ax, (x, y) in zip(axes.flat, pairs, strict=False):
        for label, rows_, style in groups:
            ax.scatter(rows_[_stat(result, x)], rows_[_stat(result, y)], label=label, **style)
        ax.scatter(chosen[_stat(result, x)], chosen[_stat(result, y)], facecolors="none",
                   edgecolors="black", s=110, label="chosen mixes")
        for row in chosen.to_dict("records"):
            ax.annotate(str(int(row["chosen"])), (row[_stat(result, x)], row[_stat(result, y)]),
                        fontsize=7, xytext=(4, 4), textcoords="offset points")
        for row in ok[ok["kind"] == "corner"].to_dict("records"):
            ax.annotate(row["label"].removesuffix(" alone"), (row[_stat(result, x)],
                                                              row[_stat(result, y)]),
                        fontsize=6, color=COLOURS[3], xytext=(4, -8), textcoords="offset points")
        sense = result.problem.objectives
        ax.set_xlabel(f"{x} ({sense[x]})", fontsize=8)
        ax.set_ylabel(f"{y} ({sense[y]})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(pairs):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8)
    fig.suptitle(f"Pareto front ({result.problem.robustness} over "
                 f"{len(result.seeds) * len(result.samples)} runs per candidate)", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def lever_axes(result: OptimisationResult) -> list[tuple[str, callable, str, str]]:
    """(column, value -> 0..1, low label, high label) for each lever axis."""
    axes = [(f"{name}.budget_share", lambda v: float(v), "0", "1")
            for name in result.portfolio.names]
    for lever in result.portfolio.levers:
        factor = lever.factor
        if isinstance(factor, Values):
            values = list(factor.values)
            axes.append((lever.column, lambda v, values=values, named=factor.names: values.index(
                v if named else float(v)) / max(1, len(values) - 1),
                str(values[0]), str(values[-1])))
        else:
            low, high = factor.extremes()[0], factor.extremes()[-1]
            span = (high - low) or 1.0
            axes.append((lever.column, lambda v, low=low, span=span: (float(v) - low) / span,
                         f"{low:g}", f"{high:g}"))
    return axes


def levers(result: OptimisationResult):
    axes_ = lever_axes(result)
    fig, ax = plt.subplots(figsize=(max(8.0, 0.9 * len(axes_) + 2), 4.8))
    x = np.arange(len(axes_))
    pareto = result.pareto
    for row in pareto.to_dict("records"):
        ax.plot(x, [f(row[c]) for c, f, _, _ in axes_], color="#9ecae1", lw=0.8, alpha=0.7)
    for row in result.chosen.to_dict("records"):
        colour = COLOURS[(int(row["chosen"]) - 1) % len(COLOURS)]
        ax.plot(x, [f(row[c]) for c, f, _, _ in axes_], color=colour, lw=2.2,
                label=f"mix {int(row['chosen'])}")
    for i, (_, _, low, high) in enumerate(axes_):
        ax.axvline(i, color="#444", lw=0.6)
        ax.text(i, -0.08, low, ha="center", va="top", fontsize=6)
        ax.text(i, 1.04, high, ha="center", va="bottom", fontsize=6)
    ax.set_xticks(x, [c for c, _, _, _ in axes_], rotation=40, ha="right", fontsize=7)
    ax.set_yticks([])
    ax.set_ylim(-0.15, 1.12)
    if len(result.chosen):
        ax.legend(fontsize=7, loc="upper right")
    ax.set_title("Levers of the Pareto mixes (light) and the chosen mixes", fontsize=10)
    fig.tight_layout()
    return fig


def hypervolume(result: OptimisationResult):
    frame = result.hypervolume
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    if len(frame):
        ax.plot(frame["generation"], frame["hypervolume"], marker="o", color=COLOURS[0],
                label="front of every candidate so far")
        ax.axhline(float(frame["reference"].iloc[0]), color=COLOURS[3], ls="--",
                   label="programmes alone and the even split")
    ax.set_xlabel("generation", fontsize=8)
    ax.set_ylabel("hypervolume (normalised)", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def versus_alone(result: OptimisationResult):
    keys = list(result.problem.objectives)
    rows = [(f"mix {int(r['chosen'])}", r) for r in result.chosen.to_dict("records")]
    frame = result.evaluations
    rows += [("even split", r) for r in frame[frame["kind"] == "even"].to_dict("records")]
    rows += [(r["label"], r) for r in frame[frame["kind"] == "corner"].to_dict("records")]
    cols = min(2, len(keys))
    nrows = int(np.ceil(len(keys) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(6.2 * cols, 0.32 * len(rows) * nrows
                                                   + 1.4 * nrows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        for i, (_, row) in enumerate(rows):
            y = len(rows) - 1 - i
            colour = COLOURS[3] if row["kind"] == "corner" else (
                COLOURS[1] if row["kind"] == "even" else COLOURS[0])
            ax.plot([row[f"{key}_p10"], row[f"{key}_median"]], [y, y], color=colour, lw=1.5)
            ax.plot(row[f"{key}_median"], y, "o", color=colour)
            ax.plot(row[f"{key}_p10"], y, "|", color=colour, ms=9)
        ax.set_yticks(range(len(rows)), [label for label, _ in reversed(rows)], fontsize=7)
        ax.set_title(f"{key} ({result.problem.objectives[key]}): median, | bad tail", fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle(f"Same budget (USD {result.portfolio.budget:,.0f}), same paired runs", fontsize=11)
    fig.tight_layout()
    return fig


# --- the page -----------------------------------------------------------------------------------
def paired_table(result: OptimisationResult) -> str:
    """Paired differences of each chosen mix from each programme alone, per objective."""
    corners = result.corners.to_dict("records")
    headers = ["mix", "against", *result.problem.objectives]
    rows = []
    for mix in result.chosen.to_dict("records"):
        mine = result.runs_of(int(mix["candidate"]))
        for corner in corners:
            theirs = result.runs_of(int(corner["candidate"]))
            cells = [f'<td class="key">mix {int(mix["chosen"])}</td>',
                     f'<td class="key">{esc(corner["label"])}</td>']
            for key, sense in result.problem.objectives.items():
                b = band(mine[key] - theirs[key])
                better = b["median"] > 0 if sense == "max" else b["median"] < 0
                css = ' class="pos"' if better and (b["p10"] > 0 or b["p90"] < 0) else (
                    ' class="neg"' if not better and b["median"] != 0 else "")
                cells.append(f"<td{css}>{b['median']:+.4f} <span class=\"band\">"
                             f"[{b['p10']:+.4f}, {b['p90']:+.4f}]</span></td>")
            rows.append(cells)
    return table(headers, rows)


def mixes_table(result: OptimisationResult) -> str:
    keys = list(result.problem.objectives)
    headers = ["file", "kind", "cost (USD)", *[f"{k} median / tail" for k in keys],
               "beats every programme alone", *result.portfolio.columns]
    rows = []
    for file_name, row in named_rows(result):
        cells = [f'<td class="key">{esc(file_name)}</td>', f'<td class="key">{esc(row["kind"])}</td>',
                 f"<td>{row['cost']:,.0f}</td>"]
        cells += [f"<td>{row[f'{k}_median']:.4f} <span class=\"band\">{row[f'{k}_p10']:.4f}"
                  f"</span></td>" for k in keys]
        cells.append(f"<td>{'yes' if row['beats_corners'] else 'no'}</td>")
        for column in result.portfolio.columns:
            value = row[column]
            cells.append(f"<td>{value:.3f}</td>" if isinstance(value, float) else
                         f"<td>{esc(value)}</td>")
        rows.append(cells)
    return table(headers, rows)


def build_html(result: OptimisationResult, images: dict, document: dict) -> str:
    problem, frame = result.problem, result.evaluations
    runs = len(result.seeds) * len(result.samples)
    worlds = (f"{len(result.samples)} points of a Latin hypercube over "
              f"{', '.join(problem.uncertainties)} x {len(result.seeds)} paired replicates"
              if problem.uncertainties else f"{len(result.seeds)} paired replicates")
    title = f"PRDS optimisation: {problem.name}"
    beats = int(frame["beats_corners"].sum())
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1><p class=\"meta\">{esc(problem.description)}</p>",
        f"<p>Budget <b>USD {result.portfolio.budget:,.0f}</b> shared by "
        f"{esc(', '.join(result.portfolio.names))}. {len(frame)} candidates "
        f"({frame['mix'].nunique()} distinct mixes) over {problem.search.generations} "
        f"generations of {problem.search.population} (NSGA-II, pymoo), each on the same "
        f"{runs} runs ({esc(worlds)}; seeds: <code>{esc(document.get('seed_scheme', ''))}</code>)."
        f" Every candidate within the budget: <b>{'yes' if frame['within_budget'].all() else 'no'}"
        f"</b> (highest cost of any run: USD {frame['cost_max'].max():,.0f}). Candidates at "
        f"least as good as every programme alone on every objective and better on one "
        f"({esc(problem.robustness)}): <b>{beats}</b>.</p>",
        f"<p>Robustness: <code>_median</code> is the median over a candidate's runs; "
        f"<code>_p10</code> the bad tail, the value it does at least as well as in "
        f"{100 - TAIL:.0f}% of them (the {TAIL:.0f}th percentile of a max objective, the "
        f"{100 - TAIL:.0f}th of a min one). The search ranks by <b>{esc(problem.robustness)}</b>."
        "</p>",
        "<h2>The chosen mixes, the programmes alone and the even split</h2>",
        "<p>Median and (grey) bad tail of each objective. The files are in <code>scenarios/"
        "</code>; the same comparison in <code>prds compare</code>, on the same seeds:</p>",
        f"<p><code>{esc(document.get('compare_command', ''))}</code></p>",
        mixes_table(result),
        "<h2>Paired differences from each programme alone</h2><p>Run by run (same seed, same "
        "world), mix minus programme alone, then median [10%, 90%]. Coloured where the band "
        'excludes zero: <span class="pos">better</span>; <span class="neg">worse</span> where '
        "the median is worse.</p>",
        paired_table(result),
        "<h2>Plots</h2>",
        *(image(name, caption, data) for name, (caption, data) in images.items()),
        "<h2>Hypervolume by generation</h2>",
        table(["generation", "candidates so far", "hypervolume", "programmes alone + even"],
              [[f'<td class="key">{int(r["generation"])}</td>', f"<td>{int(r['evaluated'])}</td>",
                f"<td>{r['hypervolume']:.4f}</td>", f"<td>{r['reference']:.4f}</td>"]
               for r in result.hypervolume.to_dict("records")]),
        "</body></html>",
    ]
    return "\n".join(parts)
