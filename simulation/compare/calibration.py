"""Calibration checks against published effect sizes (DESIGN.md section 9).

Effects on the households an intervention reached, paired: the same rows in the variant run
and in the baseline run with the same seed (rows are stable identities, and every scenario of
the library builds the same households), so the difference is the programme's effect on its
participants, as a randomised trial measures it:

- graduation: consumption (income + aid) of participants, +5.8% at 24 months and lasting a
  year after the programme (Banerjee et al. 2015, pooled across six countries);
- cash: the harmful-coping share falls while cash is paid and the gain fades within months
  after payments stop;
- cash-for-work: participants' income (earned + programme wages) +26-29% while it runs,
  fading after (Rosas and Sabarwal 2016, Sierra Leone; cited in DESIGN.md as Bagga et al.).

Run ``python -m simulation.compare.calibration`` to print the table for the scenario library
(``scenarios/protracted``); ``--replicates N`` sets the number of paired seeds.
"""

import argparse
from pathlib import Path

import numpy as np

from simulation.compare.seeds import replicate_seeds
from simulation.model import PRDSModel
from simulation.scenario import load_scenario

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "protracted"


def trajectories(scenario, seed: int) -> tuple[PRDSModel, dict[str, np.ndarray]]:
    """Run ``scenario``; return the model and per-step household arrays (steps x households)."""
    model = PRDSModel(scenario, seed=seed, with_agents=False)
    series: dict[str, list[np.ndarray]] = {"resources": [], "harmful": []}
    while model.steps < model.steps_total:
        model.step()
        hh = model.households
        series["resources"].append((hh.income + hh.aid).astype(np.float64))
        series["harmful"].append((hh.lcs >= 3).astype(np.float64))
    n = len(model.households)
    return model, {k: np.stack([v[:n] for v in values]) for k, values in series.items()}


def participant_effects(base_path, variant_path, seeds: list[int]) -> dict[str, np.ndarray]:
    """Per step and seed: participants' mean resources and harmful coping, variant vs base.

    Returns arrays of shape (seeds, steps): ``resources_base``, ``resources_variant``,
    ``harmful_base``, ``harmful_variant``.
    """
    base, variant = load_scenario(base_path), load_scenario(variant_path)
    out: dict[str, list[np.ndarray]] = {}
    for seed in seeds:
        _, a = trajectories(base, seed)
        model, b = trajectories(variant, seed)
        rows = np.unique(np.concatenate([i.reached for i in model.interventions]))
        rows = rows[rows < a["resources"].shape[1]]
        for key in ("resources", "harmful"):
            out.setdefault(f"{key}_base", []).append(a[key][:, rows].mean(axis=1))
            out.setdefault(f"{key}_variant", []).append(b[key][:, rows].mean(axis=1))
    return {key: np.stack(values) for key, values in out.items()}


def relative_gain(effects: dict[str, np.ndarray], step: int) -> tuple[float, float, float]:
    """Median and 10-90% band over seeds of the participants' resource gain at ``step`` (1-based)."""
    base = effects["resources_base"][:, step - 1]
    gain = effects["resources_variant"][:, step - 1] / np.maximum(base, 1e-9) - 1.0
    p10, median, p90 = np.percentile(gain, [10, 50, 90])
    return float(median), float(p10), float(p90)


def harmful_change(effects: dict[str, np.ndarray], step: int) -> float:
    """Median over seeds of the change in participants' harmful-coping share at ``step``."""
    d = effects["harmful_variant"][:, step - 1] - effects["harmful_base"][:, step - 1]
    return float(np.median(d))


def report(replicates: int = 5, library: Path = LIBRARY) -> str:
    """The calibration table as text."""
    base_path = library / "base.yaml"
    seeds = replicate_seeds(load_scenario(base_path).seed, replicates)
    lines = [f"calibration on {library} ({replicates} paired seeds; median [10%, 90%])"]

    def pct(triple):
        return f"{triple[0]:+.1%} [{triple[1]:+.1%}, {triple[2]:+.1%}]"

    grad = participant_effects(base_path, library / "graduation.yaml", seeds)
    lines.append("graduation, participants' consumption (income + aid); target +5.8% at 24 "
                 "months, lasting a year after:")
    for step in (6, 12, 24, 36):
        lines.append(f"  month {step:2d}: {pct(relative_gain(grad, step))}; harmful coping "
                     f"{harmful_change(grad, step):+.3f}")
    cash_spec = load_scenario(library / "cash.yaml").interventions[0]
    cash = participant_effects(base_path, library / "cash.yaml", seeds)
    lines.append(f"cash (paid months {cash_spec.start}-{cash_spec.end}), participants' harmful "
                 "coping share, change; target: a fall while paid that fades after:")
    for step in sorted({cash_spec.start - 1, cash_spec.start, cash_spec.end,
                        cash_spec.end + 3, cash_spec.end + 6, 36}):
        if 1 <= step <= 36:
            lines.append(f"  month {step:2d}: {harmful_change(cash, step):+.3f}; resources "
                         f"{pct(relative_gain(cash, step))}")
    cfw_spec = load_scenario(library / "cash_for_work.yaml").interventions[0]
    cfw = participant_effects(base_path, library / "cash_for_work.yaml", seeds)
    lines.append(f"cash-for-work (months {cfw_spec.start}-{cfw_spec.end}), participants' income "
                 "(earned + wages); target +26-29% while it runs, fading after:")
    for step in sorted({cfw_spec.start, (cfw_spec.start + cfw_spec.end) // 2, cfw_spec.end,
                        cfw_spec.end + 3, 36}):
        if 1 <= step <= 36:
            lines.append(f"  month {step:2d}: {pct(relative_gain(cfw, step))}")
    return "\n".join(lines)


def main() -> None:  # pragma: no cover - a command-line report
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=5)
    parser.add_argument("--library", type=Path, default=LIBRARY)
    args = parser.parse_args()
    print(report(args.replicates, args.library))


if __name__ == "__main__":  # pragma: no cover
    main()
