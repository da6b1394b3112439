"""``prds optimise`` end to end: the same evaluations from a process pool, Dask and a run
killed mid-generation then resumed; the written scenarios confirmed by ``prds compare``."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from optimise_cases import write_problem_files
from test_optimise_search import reference

from simulation.optimise import load_optimisation, run_optimisation
from simulation.sweeps.executors import open_executor

PRDS = str(Path(sys.executable).with_name("prds"))


def runs_on_disk(folder: Path) -> int:
    if not folder.exists():
        return 0
    paths = list((folder / "parts").glob("part-*.parquet")) if (folder / "parts").exists() else []
    paths += [folder / "results.parquet"] if (folder / "results.parquet").exists() else []
    return sum(pq.read_metadata(p).num_rows for p in paths)


def optimise(path: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    """``prds optimise``; its output with every run of white space as one space."""
    done = subprocess.run([PRDS, "optimise", str(path), "--out", str(out), *options],
                          capture_output=True, text=True, timeout=300)
    done.stdout = " ".join(done.stdout.split())
    return done


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_evaluations_as_the_pool_and_dask(tmp_path):
    path = write_problem_files(tmp_path, search={"generations": 3, "population": 4})
    # uninterrupted, on a local process pool
    pool = optimise(path, tmp_path / "pool", "--workers", "2")
    assert pool.returncode == 0, pool.stderr
    assert "every candidate within the budget: yes" in pool.stdout
    # a lost machine: the whole process group killed without warning, in generation 2
    out = tmp_path / "killed"
    killed = subprocess.Popen([PRDS, "optimise", str(path), "--out", str(out), "--workers", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    second = out / "generations" / "g0001"
    deadline = time.monotonic() + 120
    while runs_on_disk(second) < 2:
        assert killed.poll() is None, killed.communicate()
        assert time.monotonic() < deadline, "the optimisation wrote nothing for two minutes"
        time.sleep(0.01)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=30)
    assert killed.returncode == -signal.SIGKILL
    assert not (out / "evaluations.parquet").exists(), "it finished before it was killed"
    written = runs_on_disk(out / "generations" / "g0000") + runs_on_disk(second)
    resumed = optimise(path, out, "--resume", "--workers", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{written} read back" in resumed.stdout  # nothing written is run again

    reference_frame = pd.read_parquet(tmp_path / "pool" / "evaluations.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(out / "evaluations.parquet"), reference_frame,
                                  check_exact=True)
    for name in ("evaluations.parquet", "pareto.parquet"):  # bit for bit, the files too
        assert (out / name).read_bytes() == (tmp_path / "pool" / name).read_bytes(), name

    # Dask: a LocalCluster of two worker processes, as --dask local makes
    problem = load_optimisation(path)
    with open_executor(workers=2, dask="local") as executor:
        dask = run_optimisation(problem, tmp_path / "dask", executor)
    pd.testing.assert_frame_equal(dask.evaluations, reference_frame, check_exact=True)


@pytest.mark.slow
def test_cli_writes_everything_and_prds_compare_confirms_it(tmp_path):
    path = write_problem_files(tmp_path)
    out = tmp_path / "out"
    done = optimise(path, out, "--workers", "1", "--generations", "2", "--population", "4")
    assert done.returncode == 0, done.stderr
    assert "generation 2/2" in done.stdout and "mix-1.yaml" in done.stdout
    # the same evaluations as the Python API run in this process
    pd.testing.assert_frame_equal(pd.read_parquet(out / "evaluations.parquet"),
                                  reference()[0].evaluations, check_exact=True)
    command = done.stdout.split("compare them on the same seeds with:")[1].split()
    assert command[:2] == ["prds", "compare"]
    compared = subprocess.run([PRDS, *command[1:], "--workers", "1", "--out",
                               str(tmp_path / "compare")], capture_output=True, text=True,
                              timeout=300)
    assert compared.returncode == 0, compared.stderr
    import json

    document = json.loads((tmp_path / "compare" / "comparison.json").read_text())
    evaluations = pd.read_parquet(out / "evaluations.parquet")
    mix = evaluations[evaluations["chosen"] == 1].iloc[0]
    alone = evaluations[evaluations["label"] == "cash alone"].iloc[0]
    for name, row in (("mix-1", mix), ("cash-alone", alone)):
        outcomes = document["scenarios"][name]["outcomes"]
        assert outcomes["self_reliant_share"]["median"] == row["self_reliant_share_median"]
        assert outcomes["harmful_coping_share"]["p90"] == row["harmful_coping_share_p10"]


def test_bad_file_is_a_clear_error_on_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from simulation.cli import app

    path = write_problem_files(tmp_path, objectives={"self_reliance": "max"})
    result = CliRunner().invoke(app, ["optimise", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "invalid optimisation" in result.output and "objectives.self_reliance" in result.output
