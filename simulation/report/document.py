"""Build the self-contained HTML report of a comparison and write it with its PNG plots.

Everything the planner needs is in one file: the scenarios side by side, the paired
differences, the plots (embedded as base64 PNG), cost-effectiveness, flows, and the
assumptions (parameters that differ from the defaults, intervention settings, replicates
and the seed scheme). The same plots are written beside it as PNG files.
"""

import base64
import html
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from simulation.compare import stats
from simulation.outputs import files, maps
from simulation.params import Parameters
from simulation.report import figures

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1200px;
color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
h3{font-size:1.05em}
table{border-collapse:collapse;margin:0.8em 0;font-size:0.86em}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:right;vertical-align:top}
th{background:#f3f3f3}td.key,th.key{text-align:left}
.band{color:#777;font-size:0.9em}.na{color:#999}.pos{color:#1b7a1b}.neg{color:#b22}
img{max-width:100%;border:1px solid #eee;margin:0.5em 0}
.meta{color:#555}code{background:#f5f5f5;padding:0 3px}
"""

#: outcomes where a fall is an improvement (coloured accordingly in the difference table)
LOWER_IS_BETTER = {"harmful_coping_share", "emergency_coping_share", "aid_dependent_share",
                   "irregular_migration", "redisplaced", "involuntary_immobility_share",
                   "mean_rcsi", "cost_total"}


def esc(value) -> str:
    return html.escape(str(value))


def number(value, key: str = "") -> str:
    if value is None:
        return '<span class="na">n/a</span>'
    if key == "cost_total" or abs(value) >= 1000:
        return f"{value:,.0f}"
    if key in ("mean_rsi", "mean_rcsi"):
        return f"{value:.2f}"
    return f"{value:.3f}"


def band_cell(b: dict, key: str = "", signed: bool = False) -> str:
    median = number(b["median"], key)
    if signed and b["median"] > 0:
        median = "+" + median
    css = ""
    if signed and (b["p10"] > 0 or b["p90"] < 0):  # the band excludes zero
        better = (b["median"] < 0) == (key in LOWER_IS_BETTER)
        css = ' class="pos"' if better else ' class="neg"'
    return (f"<td{css}>{median} <span class=\"band\">[{number(b['p10'], key)}, "
            f"{number(b['p90'], key)}]</span></td>")


def table(headers: list[str], rows: list[list[str]], first_is_key: bool = True) -> str:
    head = "".join(f'<th class="key">{esc(h)}</th>' if i == 0 and first_is_key else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_png(figure) -> bytes:
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=100)  # each figure lays itself out
    finally:
        plt.close(figure)
    return buffer.getvalue()


def make_figures(comparison) -> dict[str, tuple[str, bytes]]:
    """file name -> (caption, PNG bytes)."""
    node_names = comparison.scenarios[0].node_names()
    out = {
        "outcomes.png": ("Outcomes at the last step, scenarios side by side",
                         render_png(figures.outcomes(comparison))),
        "timeseries.png": ("Time series with 10-90% bands",
                           render_png(figures.time_series(comparison))),
        "coping.png": ("Coping-level shares over time", render_png(figures.coping_levels(comparison))),
        "flows.png": ("Flows between nodes", render_png(figures.flows(comparison, node_names))),
    }
    out.update(map_figures(comparison))
    if len(comparison.names) > 1:
        out["differences.png"] = ("Paired differences from the baseline",
                                  render_png(figures.outcomes(comparison, difference=True)))
        out["difference_timeseries.png"] = ("Paired differences over time",
                                            render_png(figures.time_series(comparison, difference=True)))
        out["cost_effectiveness.png"] = ("Cost per outcome",
                                         render_png(figures.cost_effectiveness(comparison)))
    return out


def map_figures(comparison, outcome: str = "harmful_coping_share") -> dict[str, tuple[str, bytes]]:
    """The baseline on a map and, per other scenario, the paired change on the same map.

    A planner sees where households cope worst without the programme, and where a programme
    moves them: per node, the median over replicates of the share (baseline) or of the
    replicate-by-replicate difference from the baseline (same seed).
    """
    baseline = comparison.scenarios[0]
    if maps.map_problem(baseline) or any(r.node_counts is None for r in comparison.runs[0]):
        return {}
    what = maps.OUTCOMES[outcome][0]

    def shares(runs):
        return np.array([maps.node_shares(r.node_counts, outcome) for r in runs])

    base = shares(comparison.runs[0])
    households = np.median([r.node_counts["households"] for r in comparison.runs[0]], axis=0)
    drawn = maps.draw_map(baseline, households, _median(base), outcome=outcome,
                          title=f"{comparison.baseline}: {what}, last step (median)")
    out = {"map.png": (f"Baseline on the map: {what}", render_png(drawn.figure))}
    for i, (name, runs) in enumerate(zip(comparison.names[1:], comparison.runs[1:],
                                         strict=True), start=1):
        if comparison.scenarios[i].node_names() != baseline.node_names():
            continue  # another graph: no node-by-node difference
        at = np.median([r.node_counts["households"] for r in runs], axis=0)
        drawn = maps.draw_map(comparison.scenarios[i], at, _median(shares(runs) - base),
                              outcome=outcome, difference=True,
                              title=f"{name} minus {comparison.baseline}: change in {what}")
        out[f"map_{i}_difference.png"] = (f"{name}: paired change from the baseline on the map",
                                          render_png(drawn.figure))
    return out


def _median(values: np.ndarray) -> np.ndarray:
    """Median over replicates per node, NaN where no replicate has households there."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN nodes stay NaN
        return np.nanmedian(values, axis=0)


def image(name: str, caption: str, data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{encoded}">'
            f"<figcaption>{esc(caption)} (<code>{esc(name)}</code>)</figcaption></figure>")


def outcome_tables(comparison) -> str:
    doc = comparison.document
    names = comparison.names
    keys = doc["outcome_keys"]
    rows = [[f'<td class="key">{esc(k)}</td>'] + [band_cell(doc["scenarios"][n]["outcomes"][k], k)
                                                   for n in names] for k in keys]
    out = "<h2>Scenarios side by side</h2><p>Median [10%, 90%] across replicates, last step.</p>"
    out += table(["outcome", *names], rows)
    if len(names) > 1:
        rows = [[f'<td class="key">{esc(k)}</td>']
                + [band_cell(doc["scenarios"][n]["difference"][k], k, signed=True) for n in names[1:]]
                for k in keys]
        out += (f"<h2>Difference from the baseline ({esc(comparison.baseline)})</h2><p>Paired: "
                "replicate k minus baseline replicate k (same seed), then median [10%, 90%]. "
                'Coloured where the band excludes zero: <span class="pos">better</span>, '
                '<span class="neg">worse</span>.</p>')
        out += table(["outcome", *names[1:]], rows)
    return out


def cost_tables(comparison) -> str:
    doc = comparison.document["scenarios"]
    names = comparison.names
    rows = []
    for name in names:
        cost = doc[name]["cost"]
        row = [f'<td class="key">{esc(name)}</td>', band_cell(cost["total"], "cost_total")]
        for key in stats.COST_OUTCOMES:
            item = cost["per_outcome"][key]
            effect = item["effect_households"]
            row.append(f"<td>{number(item['usd_per_outcome'], 'cost_total')}"
                       f"<br><span class=\"band\">effect {effect['median']:+.1f} "
                       f"[{effect['p10']:+.1f}, {effect['p90']:+.1f}] households</span></td>")
        rows.append(row)
    labels = [stats.COST_OUTCOMES[k][0] for k in stats.COST_OUTCOMES]
    out = ("<h2>Cost and cost-effectiveness</h2><p>Cost in USD (transfers + works and services "
           "+ overhead). Cost per outcome = median cost / median paired effect in households; "
           "<span class=\"na\">n/a</span> where the median effect is below half a household "
           "(no gain to buy).</p>")
    out += table(["scenario", "cost total (USD)", *labels], rows)
    rows = []
    for name in names:
        for item in doc[name]["cost"]["by_intervention"]:
            rows.append([f'<td class="key">{esc(name)}</td>', f'<td class="key">{esc(item["name"])}</td>',
                         f'<td class="key">{esc(item["type"])}</td>',
                         f"<td>{item['households_reached']['median']:,.0f}</td>",
                         f"<td>{number(item['transfers']['median'], 'cost_total')}</td>",
                         f"<td>{number(item['works']['median'], 'cost_total')}</td>",
                         f"<td>{number(item['overhead']['median'], 'cost_total')}</td>",
                         f"<td>{number(item['cost']['median'], 'cost_total')}</td>"])
    if rows:
        out += "<h3>By intervention (medians)</h3>" + table(
            ["scenario", "intervention", "type", "households reached", "transfers", "works",
             "overhead", "cost"], rows)
    return out


def flow_tables(comparison, top: int = 8) -> str:
    nodes = comparison.scenarios[0].node_names()
    out = "<h2>Flows between nodes</h2><p>Median households moving over the whole run.</p>"
    for name, runs in zip(comparison.names, comparison.runs, strict=True):
        matrix = stats.median_flows(runs)
        pairs = sorted(((matrix[i, j], nodes[i], nodes[j]) for i in range(len(nodes))
                        for j in range(len(nodes)) if matrix[i, j] > 0), reverse=True)[:top]
        rows = [[f'<td class="key">{esc(a)}</td>', f'<td class="key">{esc(b)}</td>',
                 f"<td>{value:,.0f}</td>"] for value, a, b in pairs]
        out += f"<h3>{esc(name)}</h3>" + (table(["from", "to", "households"], rows) if rows
                                           else "<p>No moves.</p>")
    return out


def assumptions(comparison) -> str:
    defaults = Parameters()
    described = {row["name"]: row for row in Parameters.describe()}
    out = ["<h2>Assumptions</h2>",
           f"<p>Replicates: <b>{comparison.replicates}</b> per scenario. Seeds: "
           f"<code>{esc(comparison.seed_scheme)}</code>: "
           f"{esc(', '.join(map(str, comparison.seeds)))}. Every scenario runs replicate k with "
           "seed k, and each decision draws from its own random stream, so differences are "
           "paired (common random numbers).</p>"]
    for name, source, scenario in zip(comparison.names, comparison.files, comparison.scenarios,
                                      strict=True):
        households = sum(p.households for p in scenario.populations)
        out.append(f"<h3>{esc(name)}</h3><p class=\"meta\">{esc(scenario.description)}<br>"
                   f"file: <code>{esc(source or 'in memory')}</code>; {scenario.steps} steps of "
                   f"{scenario.days_per_step:g} days; {households:,} households at the start; "
                   f"{len(scenario.graph.nodes)} nodes.</p>")
        changed = [(key, value, getattr(defaults, key))
                   for key, value in scenario.parameters.model_dump().items()
                   if value != getattr(defaults, key)]
        if changed:
            rows = [[f'<td class="key">{esc(k)}</td>', f"<td>{esc(v)}</td>", f"<td>{esc(d)}</td>",
                     f'<td class="key">{esc(described[k]["source"])}</td>'] for k, v, d in changed]
            out.append("<p>Parameters that differ from the defaults:</p>"
                       + table(["parameter", "value", "default", "source of the default"], rows))
        else:
            out.append("<p>All behavioural parameters at their defaults (<code>simulation/params.py"
                       "</code>).</p>")
        out.append(built_assumptions(source))
        for spec in scenario.interventions:
            settings = spec.model_dump(mode="json")
            rows = [[f'<td class="key">{esc(k)}</td>', f'<td class="key">{esc(v)}</td>']
                    for k, v in settings.items()]
            out.append(f"<p>Intervention <b>{esc(spec.label)}</b> ({esc(spec.type)}), acts on "
                       f"{esc(', '.join(spec.acts_on) or 'nothing')}:</p>"
                       + table(["setting", "value"], rows))
        if not scenario.interventions:
            out.append("<p>No interventions.</p>")
    return "".join(out)


def built_assumptions(source: str | None) -> str:
    """What ``prds build`` assumed for a built scenario: ``<stem>.provenance.json`` beside the
    scenario file (format: simulation/build/provenance.py), read as plain JSON."""
    if not source:
        return ""
    path = Path(source).with_suffix(".provenance.json")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    if not isinstance(document, dict):
        return ""
    rows = [[f'<td class="key">{esc(item.get("what", ""))}</td>',
             f'<td class="key">{esc(item.get("value", ""))}</td>',
             f'<td class="key">{esc(item.get("rule", ""))}</td>']
            for item in document.get("assumptions") or [] if isinstance(item, dict)]
    warned = [[f'<td class="key">{esc(item.get("what", ""))}</td>',
               f'<td class="key">{esc(item.get("done", ""))}</td>',
               f"<td>{esc(item.get('count', ''))}</td>",
               f'<td class="key">{esc(item.get("file", ""))}</td>']
              for item in document.get("warnings") or [] if isinstance(item, dict)]
    out = ""
    if rows:
        out += (f"<p>Built from data (<code>{esc(path.name)}</code>); what the data could not "
                "give was assumed:</p>" + table(["assumed", "value", "rule"], rows))
    if warned:
        out += "<p>Data quirks handled while building:</p>" + table(
            ["what", "done", "count", "file"], warned)
    return out


def build_html(comparison, images: dict[str, tuple[str, bytes]]) -> str:
    """The report as one HTML string (plots embedded)."""
    names = comparison.names
    title = f"PRDS scenario comparison: {', '.join(names)}"
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p class=\"meta\">Baseline: <b>{esc(comparison.baseline)}</b>. {comparison.replicates} "
        f"paired replicates per scenario. Scenarios: {esc(', '.join(names))}.</p>",
        outcome_tables(comparison),
        "<h2>Plots</h2>",
        *(image(name, caption, data) for name, (caption, data) in images.items()),
    ]
    if len(names) > 1:
        parts.append(cost_tables(comparison))
    parts += [flow_tables(comparison), assumptions(comparison), "</body></html>"]
    return "\n".join(parts)


def write_report(comparison, out_dir: str | Path) -> list[Path]:
    """Write ``report.html`` and the PNG plots into ``out_dir``; return the paths."""
    out = Path(out_dir)
    images = make_figures(comparison)
    written = [files.atomic_write(out / name, lambda tmp, data=data: tmp.write_bytes(data))
               for name, (_, data) in images.items()]
    written.append(files.write_text(out / "report.html", build_html(comparison, images)))
    return written
