"""Write ``evidence.json`` and ``evidence.html`` (per target: published band against the model's).

``evidence.json`` is ``{"targets": [{"id", "source", "published", "model": {"median", "p10",
"p90"}, "tolerance", "pass", "use", "loss", "households"}, ...]}`` (issue 14), with the
run's replicates, root seed and parameter overrides beside ``targets``; ``households`` is how
many households the statistic is computed over at the entry's step (median over replicates). ``evidence.html`` is one self-contained file:
the table, then one plot per target, the model's statistic over time (median and 10-90%
band over replicates) with the published band at the entry's step (for a ratio of two
steps, the ratio is shown beside the series). Written atomically (``outputs/files.py``).
"""

import html
import math
from pathlib import Path
from typing import Any

from simulation.evidence.evaluate import TargetResult
from simulation.outputs import files
from simulation.report.document import image, render_png


def document(results: list[TargetResult], meta: dict[str, Any]) -> dict[str, Any]:
    """The ``evidence.json`` document."""
    return {"targets": [r.document() for r in results], **meta}


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def band_text(low, high) -> str:
    """A band as text: [low, high], with open ends written as inequalities."""
    if low is None:
        return f"<= {_fmt(high)}"
    if high is None:
        return f">= {_fmt(low)}"
    return f"[{_fmt(low)}, {_fmt(high)}]"


def figure(result: TargetResult, entry):
    """The model's statistic over time against the published band (matplotlib figure)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    design = entry.spec.design
    steps = result.series["step"]
    nan = float("nan")
    median = [nan if v is None else v for v in result.series["median"]]
    p10 = [nan if v is None else v for v in result.series["p10"]]
    p90 = [nan if v is None else v for v in result.series["p90"]]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.fill_between(steps, p10, p90, color="tab:blue", alpha=0.25, label="model 10-90%")
    ax.plot(steps, median, color="tab:blue", label=f"model median ({design.statistic})")
    tolerance = result.tolerance
    finite = [x for x in p10 + p90 if x == x]
    if design.relative_to is None and (finite or None not in (tolerance["low"], tolerance["high"])):
        # an open edge is drawn at the model's range (the band has no end there)
        low = tolerance["low"] if tolerance["low"] is not None else min(finite + [tolerance["high"]])
        high = tolerance["high"] if tolerance["high"] is not None else max(finite + [tolerance["low"]])
        ax.errorbar([design.at], [(low + high) / 2], yerr=[[(high - low) / 2], [(high - low) / 2]],
                    color="tab:red", capsize=6, lw=2, label="published band")
        if result.published.get("value") is not None:
            ax.plot([design.at], [result.published["value"]], "o", color="tab:red")
    elif design.relative_to is not None:
        for step in (design.at, design.relative_to):
            ax.axvline(step, color="tab:red", ls=":", lw=1)
        ax.set_title(f"ratio step {design.at} / step {design.relative_to}: model "
                     f"{_fmt(result.model['median'])}, published "
                     f"{band_text(tolerance['low'], tolerance['high'])}", fontsize=9)
    ax.set_xlabel("month (step)")
    ax.set_ylabel(design.variable)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def build_html(results: list[TargetResult], entries: dict[str, Any], meta: dict[str, Any]) -> str:
    rows = []
    for r in results:
        verdict = "pass" if r.pass_ else "FAIL"
        rows.append(
            f"<tr><td>{html.escape(r.id)}</td><td>{r.use}</td>"
            f"<td>{html.escape(r.published['quote'])}</td>"
            f"<td>{band_text(r.tolerance['low'], r.tolerance['high'])}</td>"
            f"<td>{_fmt(r.model['median'])} [{_fmt(r.model['p10'])}, {_fmt(r.model['p90'])}]</td>"
            f"<td>{'' if r.households_measured is None else f'{r.households_measured:,}'}</td>"
            f"<td class='{verdict.lower()}'>{verdict}</td></tr>")
    sections = []
    for r in results:
        entry = entries[r.id]
        fig = figure(r, entry)
        png = render_png(fig)
        spec = entry.spec
        sections.append(
            f"<section><h2>{html.escape(r.id)} ({r.use})</h2>"
            f"<p><b>Source</b>: {html.escape(r.source)}<br><b>Population</b>: "
            f"{html.escape(spec.population)}<br><b>Intervention or condition</b>: "
            f"{html.escape(spec.intervention)}<br><b>Outcome</b>: {html.escape(spec.outcome)}"
            f"<br><b>Timing</b>: {html.escape(spec.timing)}<br><b>Design</b>: "
            f"{spec.design.who}, {spec.design.statistic} of {spec.design.variable} "
            f"({html.escape(spec.design.scenario)} against "
            f"{html.escape(str(spec.design.baseline))})<br><b>Tolerance</b>: "
            f"{html.escape(spec.tolerance.how)}</p>"
            + image(r.id, f"{r.id}: model over time and the published band", png)
            + "</section>")
    passed = sum(r.pass_ for r in results)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>prds evidence</title><style>"
        "body{font-family:sans-serif;max-width:1000px;margin:auto}td,th{border:1px solid #ccc;"
        "padding:3px 6px;font-size:13px}table{border-collapse:collapse}.pass{color:#060}"
        ".fail{color:#b00;font-weight:bold}img{max-width:100%}</style></head><body>"
        f"<h1>Evidence: {passed} of {len(results)} targets pass</h1>"
        f"<p>{meta['replicates']} paired replicates (root seed {meta['seed']}); parameter "
        f"overrides: {html.escape(str(meta['parameters'] or 'none'))}. Model: median "
        "[10%, 90%] over replicates. <code>fit</code> entries may enter a calibration loss, "
        "<code>test</code> entries never do.</p>"
        "<table><tr><th>id</th><th>use</th><th>published</th><th>band</th><th>model</th>"
        "<th>households</th><th></th></tr>" + "".join(rows) + "</table>" + "".join(sections) + "</body></html>")


def write(results: list[TargetResult], entries, out_dir: str | Path, meta: dict[str, Any]) -> list[Path]:
    """Write evidence.json and evidence.html into ``out_dir``; return the paths."""
    out = Path(out_dir)
    by_id = {e.id: e for e in entries}
    json_path = files.write_json(out / "evidence.json", document(results, meta))
    page = build_html(results, by_id, meta)
    html_path = files.write_text(out / "evidence.html", page)
    return [json_path, html_path]
