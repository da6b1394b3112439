"""Crash safety: a run killed at any moment leaves no partial output file (issue 9).

- A real ``prds`` process is killed (SIGKILL: no handler runs) in the middle of writing
  each kind of output (Parquet, JSON, PNG), held there by a slow writer installed with a
  ``sitecustomize`` module. The target is then absent, or still the previous complete file.
- A forked run is killed at random moments, many times, into the same folder. Every output
  present is then byte-identical to an uninterrupted run's (outputs are deterministic), and
  a rerun completes the set.
- Every output in the codebase goes through ``simulation/outputs/files.py``: a scan of the
  source finds no other file writer.
(A sweep killed with SIGKILL and resumed to the identical table: ``tests/sweeps/test_cli.py``.)
"""

import ast
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import REPO, tiny_scenario_dict

from simulation.cli import app
from simulation.outputs import files

PRDS = Path(sys.executable).with_name("prds")
#: a writer stops mid-file and prints this, so the test kills the process right there
MARK = "HALF-WRITTEN"

SLOW_WRITER = f'''
"""Installed as sitecustomize: writers stop half-way through the file named by PRDS_HOLD."""
import os, sys, time
from pathlib import Path

HOLD = os.environ.get("PRDS_HOLD")


def _hold(path, original, *args, **kwargs):
    result = original(path, *args, **kwargs)
    name = Path(str(path)).name
    if HOLD and (name == HOLD or name.startswith("." + HOLD + ".")):
        size = os.path.getsize(path)
        with open(path, "r+b") as handle:
            handle.truncate(size // 2)
        print("{MARK}", name, flush=True)
        time.sleep(120)
    return result


def _install():
    import pandas as pd
    import matplotlib.figure as figure

    to_parquet, savefig, write_text = pd.DataFrame.to_parquet, figure.Figure.savefig, Path.write_text
    pd.DataFrame.to_parquet = lambda self, path, *a, **k: _hold(
        path, lambda p, *a, **k: to_parquet(self, p, *a, **k), *a, **k)
    figure.Figure.savefig = lambda self, path, *a, **k: _hold(
        path, lambda p, *a, **k: savefig(self, p, *a, **k), *a, **k)
    Path.write_text = lambda self, *a, **k: _hold(
        self, lambda p, *a, **k: write_text(p, *a, **k), *a, **k)


if HOLD:
    _install()
'''


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash")
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_scenario_dict(steps=3), sort_keys=False))
    return path


def prds_run(scenario: Path, out: Path, seed: int = 1) -> None:
    """``prds run`` in this process (the CLI's own code path)."""
    try:
        app(["run", str(scenario), "--out", str(out), "--seed", str(seed)], standalone_mode=False)
    except SystemExit as done:
        assert done.code in (0, None)


@pytest.fixture(scope="module")
def reference(scenario, tmp_path_factory) -> dict[str, bytes]:
    """The outputs of an uninterrupted run: name -> bytes."""
    out = tmp_path_factory.mktemp("reference")
    prds_run(scenario, out)
    return {p.name: p.read_bytes() for p in out.iterdir()}


def outputs(folder: Path) -> tuple[dict[str, bytes], list[str]]:
    """Files at output names, and leftover hidden temporary files."""
    present, leftovers = {}, []
    for path in folder.iterdir() if folder.exists() else []:
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            leftovers.append(path.name)
        else:
            present[path.name] = path.read_bytes()
    return present, leftovers


def assert_only_complete(folder: Path, expected: dict[str, bytes]) -> dict[str, bytes]:
    present, leftovers = outputs(folder)
    for name, content in present.items():
        assert name in expected, f"unexpected file {name}"
        assert content == expected[name], f"{name} is partial or differs from a complete run"
    for name in leftovers:  # a killed writer's temporary file: hidden, never at an output name
        assert any(name.startswith(f".{target}.") for target in expected), name
    return present


@pytest.mark.slow
@pytest.mark.parametrize("target", ["timeseries.parquet", "summary.json", "statuses.png"])
def test_prds_killed_mid_write_leaves_no_partial_file(scenario, reference, tmp_path, target):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SLOW_WRITER)
    out = tmp_path / "out"
    previous = None
    if target == "summary.json":  # over an earlier complete run: the old file must survive
        prds_run(scenario, out, seed=2)
        previous = (out / target).read_bytes()
    env = {**os.environ, "PYTHONPATH": f"{hooks}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "PRDS_HOLD": target}
    process = subprocess.Popen([str(PRDS), "run", str(scenario), "--out", str(out), "--seed", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env, cwd=tmp_path)
    try:
        seen = []
        for line in process.stdout:
            seen.append(line)
            if line.startswith(MARK):
                break
        else:
            pytest.fail("the writer never reached the hold point:\n" + "".join(seen))
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(30)
    assert process.returncode == -signal.SIGKILL
    present, leftovers = outputs(out)
    assert any(name.startswith(f".{target}.") for name in leftovers), "the kill was not mid-write"
    if previous is None:
        assert target not in present
    else:
        assert present[target] == previous, "the previous complete file was damaged"
    if target != "summary.json":
        assert_only_complete(out, reference)
    prds_run(scenario, out)  # a rerun completes the set and clears the dead writer's temporary
    assert outputs(out) == (reference, [])


@pytest.mark.slow
def test_forked_runs_killed_at_random_moments_leave_only_complete_files(scenario, reference,
                                                                        tmp_path):
    out = tmp_path / "out"
    chooser = random.Random(20240917)
    started = time.perf_counter()
    prds_run(scenario, tmp_path / "timing")
    one_run = time.perf_counter() - started
    for _ in range(6):
        pid = os.fork()
        if pid == 0:  # the child: write the same outputs again and again until killed
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                while True:
                    prds_run(scenario, out)
            finally:
                os._exit(1)
        time.sleep(chooser.uniform(0.0, 1.5 * one_run))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert_only_complete(out, reference)
    prds_run(scenario, out)
    assert outputs(out) == (reference, [])  # the killed writers' temporaries are gone too
    shutil.rmtree(out)


def test_outputs_get_the_usual_file_mode(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = files.write_text(tmp_path / "a.txt", "x")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # mkstemp alone gives 0600


# --- every output goes through simulation/outputs/files.py --------------------------------------
WRITERS = {"to_parquet", "savefig", "write_text", "write_bytes", "to_csv", "to_json", "to_excel",
           "to_pickle", "to_feather", "to_netcdf", "dump", "save", "savez", "savetxt", "tofile"}
#: direct writes that are not output files, with why
ALLOWED = {
    ("simulation/outputs/files.py", "open"): "an empty lock file (lock_folder), not an output",
    ("simulation/evidence/calibrate.py", "open"): "truncates a torn last record of Optuna's "
                                                  "append-only journal, not an output",
    ("simulation/validation/runner.py", "open"): "/proc/self/clear_refs, a kernel control file",
}


def direct_writes(path: Path) -> list[tuple[int, str]]:
    """Calls that write a file other than through ``files.*`` (line, writer)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    through_files = set()
    in_memory = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Call)
                 and getattr(node.value.func, "attr", getattr(node.value.func, "id", ""))
                 in ("BytesIO", "StringIO")
                 for target in node.targets if isinstance(target, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if callee == "atomic_write" or (isinstance(func, ast.Attribute)
                                            and getattr(func.value, "id", "") == "files"):
                through_files.update(id(n) for arg in node.args[1:] for n in ast.walk(arg))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in through_files:
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in WRITERS:
            if getattr(func.value, "id", "") == "files":
                continue
            if node.args and getattr(node.args[0], "id", None) in in_memory:
                continue  # into an in-memory buffer
            if func.attr == "dump" and len(node.args) < 2 and not any(
                    k.arg in ("stream", "fp", "file") for k in node.keywords):
                continue  # yaml.dump(data) returns a string
            if func.attr == "to_csv" and not node.args and not any(
                    k.arg == "path_or_buf" for k in node.keywords):
                continue  # returns a string
            found.append((node.lineno, func.attr))
        elif isinstance(func, ast.Name) and func.id == "open":
            mode = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "mode"), None)
            if isinstance(mode, ast.Constant) and any(c in str(mode.value) for c in "wax+"):
                found.append((node.lineno, "open"))
    return sorted(found)


def test_every_output_goes_through_the_atomic_writers():
    offenders = []
    for folder in ("simulation", "agents"):
        for path in sorted((REPO / folder).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if rel == "simulation/outputs/files.py":
                continue
            for line, writer in direct_writes(path):
                if (rel, writer) not in ALLOWED:
                    offenders.append(f"{rel}:{line}: {writer}(...) writes a file directly; use "
                                     "simulation.outputs.files")
    assert not offenders, "\n".join(offenders)


def test_the_scan_finds_a_direct_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import json\n"
                      "def f(frame, fig, p):\n"
                      "    frame.to_parquet(p)\n"
                      "    fig.savefig(p)\n"
                      "    open(p, 'w').write('x')\n"
                      "    files.write_json(p, {})\n"
                      "    files.atomic_write(p, lambda tmp: tmp.write_bytes(b''))\n"
                      "    text = frame.to_csv(index=False)\n"
                      "    text = yaml.dump(frame)\n"
                      "    json.dump(frame, p)\n"
                      "    buffer = io.BytesIO()\n"
                      "    fig.savefig(buffer)\n")
    assert [w for _, w in direct_writes(sample)] == ["to_parquet", "savefig", "open", "dump"]



def test_stale_temporaries_of_dead_writers_on_this_host_are_removed(tmp_path):
    """Only a dead local writer's temporary goes; a live one's and another host's stay."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    dead, alive = finished.pid, os.getpid()
    target = tmp_path / "summary.json"
    stale = tmp_path / f".summary.json.{files._HOST}-{dead}.abc123.tmp"
    live = tmp_path / f".summary.json.{files._HOST}-{alive}.def456.tmp"
    remote = tmp_path / f".summary.json.otherhost-{dead}.ghi789.tmp"
    other_target = tmp_path / f".timeseries.parquet.{files._HOST}-{dead}.jkl012.tmp"
    for path in (stale, live, remote, other_target):
        path.write_text("partial")
    files.write_json(target, {"ok": 1})
    assert not stale.exists()
    assert live.exists() and remote.exists() and other_target.exists()
    assert json.loads(target.read_text()) == {"ok": 1}
