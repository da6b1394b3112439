"""Write a screening's results: ``sensitivity.json``, ``sensitivity.csv`` and the Markdown table.

The Markdown (``sensitivity.md``, and ``docs/sensitivity.md`` with ``--docs``) has one row
per parameter of ``simulation/params.py``, screened or not, with the kind of its source
(``params.source_kind``: published / design, calibrated or assumption), so a reader sees in
one table which numbers are assumptions and which of those move the evidence; a table per
entry (the parameters that move it most); and a header saying how it was made (command,
trajectories, replicates, seed, date, machine, time), so the file is regenerated, never
edited.
"""

import math
from pathlib import Path
from typing import Any

from simulation.evidence.sensitivity import SPREAD_REPLICATES, EvidenceSweep, Screening
from simulation.outputs import files
from simulation.params import Parameters, source_kind

#: parameters shown per entry in the entries' table
TOP_PER_ENTRY = 3


def parameter_rows(screening: Screening, sweep: EvidenceSweep) -> list[dict[str, Any]]:
    """Every parameter: name, kind of source, screened or not, influence, entry, rank.

    Screened parameters come first, most influential first; then the others in the order
    ``params.py`` declares them.
    """
    influence = {row["parameter"]: row for row in screening.influence().to_dict("records")}
    screened = set(sweep.parameters)
    rows = []
    for row in Parameters.describe():
        name = row["name"]
        found = influence.get(name, {})
        rows.append({"parameter": name, "kind": source_kind(row["source"]),
                     "screened": name in screened,
                     "low": row["min"], "high": row["max"],
                     "influence": _num(found.get("influence")),
                     "influence_conf": _num(found.get("influence_conf")),
                     "entry": found.get("entry"), "entries_moved": found.get("entries_moved"),
                     "rank": found.get("rank")})
    order = {name: i for i, name in enumerate(Parameters.model_fields)}
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, not r["screened"],
                                       order[r["parameter"]]))


def entry_rows(screening: Screening, entries) -> list[dict[str, Any]]:
    """Per entry: its unit, seed spread, elementary effects used and left out (undefined),
    and the parameters that move it most."""
    rows = []
    indices = screening.indices
    for entry in entries:
        own = indices[indices["entry"] == entry.id].sort_values(
            ["mu_star_bands", "parameter"], ascending=[False, True])
        top = [(r["parameter"], r["mu_star_bands"], r["mu_star_conf_bands"])
               for r in own.head(TOP_PER_ENTRY).to_dict("records")]
        rows.append({"entry": entry.id, "use": entry.use, "unit": screening.units[entry.id],
                     "spread": _num(screening.spread.get(entry.id)),
                     "effects": int(own["effects"].sum()),
                     "undefined": int(own["undefined"].sum()),
                     "top": top})
    return rows


def document(screening: Screening, sweep: EvidenceSweep, entries, meta: dict) -> dict:
    """What ``sensitivity.json`` holds."""
    return {"meta": meta, "parameters": parameter_rows(screening, sweep),
            "entries": [{**row, "top": [{"parameter": p, "mu_star_bands": _num(m),
                                         "mu_star_conf_bands": _num(c)} for p, m, c in row["top"]]}
                        for row in entry_rows(screening, entries)],
            "indices": [{k: _num(v) if isinstance(v, float) else v for k, v in row.items()}
                        for row in screening.indices.to_dict("records")],
            "notes": screening.notes}


def write(out_dir: str | Path, screening: Screening, sweep: EvidenceSweep, entries, meta: dict,
          docs: str | Path | None = None) -> list[Path]:
    """Write ``sensitivity.json``, ``.csv`` and ``.md`` to ``out_dir`` (and the Markdown to
    ``docs`` if given); all atomic."""
    out = Path(out_dir)
    text = markdown(screening, sweep, entries, meta)
    written = [files.write_json(out / "sensitivity.json", document(screening, sweep, entries, meta)),
               files.write_text(out / "sensitivity.csv", screening.indices.to_csv(index=False)),
               files.write_text(out / "sensitivity.md", text)]
    if docs is not None:
        written.append(files.write_text(Path(docs), text))
    return written


def markdown(screening: Screening, sweep: EvidenceSweep, entries, meta: dict) -> str:
    """The Markdown page (see the module docstring)."""
    k, r = len(sweep.parameters), sweep.design.samples
    kinds = {row["name"]: source_kind(row["source"]) for row in Parameters.describe()}
    screened_kinds = sorted({kinds[name] for name in sweep.parameters})
    what = ("every parameter whose source in `simulation/params.py` is an assumption"
            if meta.get("all_assumptions") else
            f"{k} parameters (of kind {', '.join(screened_kinds)})")
    lines = [
        "# Which assumptions matter: a Morris screening on the evidence",
        "",
        f"Made by `{meta['command']}` on {meta['date']} ({meta['machine']}; {meta['timing']}). "
        "Do not edit: run the command again (results do not depend on `--workers` or `--dask`; "
        "`--resume` continues a run that was cut short).",
        "",
        f"**What was screened.** {what.capitalize()} ({k}), each uniform over its declared range "
        f"(the columns low and high), in a Morris design of {r} trajectories on a "
        f"{sweep.design.levels}-level grid (SALib; {r} x ({k} + 1) = {r * (k + 1)} points), on "
        f"{'every entry' if meta.get('all_entries') else 'these entries'} of the evidence "
        f"library ({len(entries)}, `scenarios/evidence/`). Every point runs every entry's study "
        f"design as `prds evidence` does (study scenario and paired baseline with one seed, each "
        f"entry's own horizon) {sweep.replicates} time(s); replicate k has the same seed at every "
        f"point (common random numbers, root seed {sweep.seed}), so a difference between points "
        f"is the parameters', and a parameter a design never reads moves it by exactly 0. "
        f"Calibrated parameters (fitted by `prds calibrate`) and published or design values are "
        f"held at their defaults and listed unscreened.",
        "",
        "**Influence** is Morris's mu* (the mean absolute elementary effect; Morris 1991, "
        "Campolongo et al. 2007) of an entry's statistic, per whole declared range of the "
        "parameter, divided by the entry's tolerance unit (half the width of its band, or its "
        "`scale` for a one-sided band: the unit of the calibration loss): *how many bands "
        "moving the parameter across its whole range moves the entry*. A parameter's influence is "
        "its largest over the entries, with that entry (an entry with a narrow band makes large "
        "numbers, so the last column counts the entries a "
        "parameter moves by a band or more); ± is the 95% bootstrap half-interval of mu* over "
        "trajectories (wide where a few trajectories cross a threshold of the model, such as "
        "no flight at all). Declared ranges are the limits `params.py` accepts, some "
        "much wider than plausible (for example `irregular_cost` up to USD 100,000), so a large "
        "influence says the entry is sensitive somewhere in that range, not that the default "
        "is wrong; a small one says the assumption can be left as it is for these entries.",
        "",
        "## Parameters",
        "",
        "| rank | parameter | kind of source | low | high | influence (bands) | most moved entry "
        f"| entries moved ≥ 1 band (of {len(entries)}) |",
        "|---:|---|---|---:|---:|---:|---|---:|",
    ]
    for row in parameter_rows(screening, sweep):
        if row["screened"] and row["influence"] is not None:
            influence = f"{_g(row['influence'])} ± {_g(row['influence_conf'])}"
            entry, rank, moved = f"`{row['entry']}`", str(row["rank"]), str(row["entries_moved"])
        else:
            influence = "not screened" if not row["screened"] else "n/a (no usable entry)"
            entry, rank, moved = "", "", ""
        lines.append(f"| {rank} | `{row['parameter']}` | {row['kind']} | {_g(row['low'])} | "
                     f"{_g(row['high'])} | {influence} | {entry} | {moved} |")
    lines += ["", "## Entries: the parameters that move each most", "",
              "mu* in bands (± 95% half-interval). Band unit: the entry's tolerance unit, in "
              "its own units. Seed spread: the 10-90% range of the entry over "
              f"{SPREAD_REPLICATES} paired replicates at the defaults, in bands (the noise of one "
              "replicate; common seeds make the elementary effects less noisy than that). "
              "Effects: elementary effects used, and in brackets those left out because the "
              "statistic was undefined at one end (nobody measured).", "",
              "| entry | use | band unit | seed spread | effects | " +
              " | ".join(f"{i + 1}." for i in range(TOP_PER_ENTRY)) + " |",
              "|---|---|---:|---:|---:|" + "---|" * TOP_PER_ENTRY]
    for row in entry_rows(screening, entries):
        cells = [f"`{p}` {_g(m)} ± {_g(c)}" for p, m, c in row["top"]]
        cells += [""] * (TOP_PER_ENTRY - len(cells))
        lines.append(f"| `{row['entry']}` | {row['use']} | {_g(row['unit'])} | "
                     f"{_g(row['spread'])} | {row['effects']} ({row['undefined']}) | "
                     + " | ".join(cells) + " |")
    if screening.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in screening.notes]
    lines += ["", "Files: `sensitivity.json` (every parameter, every entry, every index), "
              "`sensitivity.csv` (mu*, its interval, mu and sigma per parameter and entry, raw "
              "and in bands), beside the sweep's `results.parquet` (one row per run) in the "
              "output folder.", ""]
    return "\n".join(lines)


def _num(value) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return float(value)


def _g(value) -> str:
    """A number for the tables: 3 significant figures, thousands separated."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.3g}"
    return text

