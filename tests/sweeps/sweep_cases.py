"""Small sweeps shared by the sweep tests (the tiny three-node region, with cash)."""

import functools
import tempfile

import yaml
from conftest import tiny_scenario_dict

CASH = {"type": "cash", "name": "cash", "transfer": 50.0, "start": 1, "end": 4,
        "targeting": {"groups": ["displaced"], "share": 0.5}}


def tiny_with_cash(**changes) -> dict:
    """The tiny region with a cash intervention (the lever of the test sweeps)."""
    return tiny_scenario_dict(interventions=[CASH], **changes)


def sweep_data(scenario, method="lhs", samples=32, replicates=2, **changes) -> dict:
    """A 64-run sweep by default: 32 LHS points x 2 replicates, three factors of three kinds."""
    data = {
        "name": "tiny-sweep",
        "scenario": scenario,
        "seed": 11,
        "replicates": replicates,
        "design": {"method": method, "samples": samples},
        "uncertainties": {
            "parameters.casual_wage_share": {"low": 0.3, "high": 0.9},
            "parameters.savings_rate": {"distribution": "triangular", "low": 0.1, "mode": 0.3,
                                        "high": 0.6},
        },
        "levers": {
            "interventions.cash.transfer": {"low": 0, "high": 150},
            "interventions.cash.targeting.rule": {"values": ["random", "poorest_first"]},
        },
        "outcomes": ["self_reliant_share", "harmful_coping_share", "mean_rsi", "cost_total"],
    }
    data.update(changes)
    return data


def write_sweep_files(folder, steps=6, **changes):
    """Write the tiny scenario and a sweep file over it; return the sweep file's path."""
    scenario = folder / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_with_cash(steps=steps), sort_keys=False))
    path = folder / "tiny.sweep.yaml"
    path.write_text(yaml.safe_dump(sweep_data("tiny.yaml", **changes), sort_keys=False))
    return path


@functools.cache
def reference_results():
    """The default 64-run sweep of ``sweep_data``, run once in this process, one by one
    (``SerialExecutor``), as written to its ``results.parquet``."""
    import pandas as pd

    from simulation.sweeps import SerialExecutor, from_data, run_sweep

    with tempfile.TemporaryDirectory() as folder:
        done = run_sweep(from_data(sweep_data(tiny_with_cash())), folder, SerialExecutor())
        written = pd.read_parquet(f"{folder}/results.parquet")
        pd.testing.assert_frame_equal(done.results, written, check_exact=True)
        return written
