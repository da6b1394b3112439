"""The results of a sweep on disk: a Parquet dataset written as runs finish, safe to kill.

Layout of the output folder::

    sweep.json        the sweep as run (file, design, sample size, number of runs)
    design.parquet    every run: run, point, replicate, seed and factor values
    parts/            part-<seq>.parquet: the runs that finished together, one file per write
    results.parquet   every run written so far, one row each, sorted by run

Every file is written atomically (``simulation.outputs.files``): a part holds complete rows
or does not exist. Parts are merged into ``results.parquet`` (atomically) from time to time and
at the end, then removed; a kill between the two leaves rows in both, and readers keep one row
per run (the part's, which is newer). So a sweep killed at any moment loses only runs that had
not finished, and ``--resume`` finds every run that had.
"""

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulation.outputs import files
from simulation.sweeps.design import SweepDesign
from simulation.sweeps.spec import SweepError


class ResultStore:
    """One sweep's output folder (see the module docstring)."""

    def __init__(self, out_dir: str | Path, design: SweepDesign, outcomes: list[str]):
        self.dir = Path(out_dir)
        self.parts_dir = self.dir / "parts"
        self.results_path = self.dir / "results.parquet"
        self.design = design
        self.outcomes = list(outcomes)
        self.schema = _schema(design.runs, self.outcomes)
        self._inputs = {name: design.runs[name].tolist() for name in design.runs.columns}
        self._lock = None
        self._seq = 0

    # --- opening ---------------------------------------------------------------------------
    def open(self, sweep_document: dict, resume: bool) -> None:
        """Lock the folder, then start it afresh or check it holds this same sweep."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        design_path = self.dir / "design.parquet"
        existing = self.parts_dir.exists() and any(self.parts_dir.glob("part-*.parquet"))
        existing = existing or self.results_path.exists()
        if existing and not resume:
            raise SweepError([(str(self.dir), None, "", "this folder already holds results of a "
                               "sweep: pass --resume to continue it, or choose another --out")])
        if resume and design_path.exists():
            stored = pd.read_parquet(design_path)
            if not _same(stored, self.design.runs):
                raise SweepError([(str(self.dir), None, "", "this folder holds a different sweep "
                                   "(its design, sample size, seed or replicates differ); "
                                   "choose another --out")])
        document_path = self.dir / "sweep.json"
        if resume and document_path.exists():
            before = json.loads(document_path.read_text(encoding="utf-8")).get("fingerprint")
            if before is not None and before != sweep_document["fingerprint"]:
                raise SweepError([(str(self.dir), None, "", "this folder holds the same design "
                                   "run on another scenario or other outcomes (was the "
                                   "scenario file edited?); choose another --out")])
        for stale in self.parts_dir.glob(".*.tmp") if self.parts_dir.exists() else ():
            stale.unlink(missing_ok=True)  # left by a write that was killed
        self.parts_dir.mkdir(exist_ok=True)
        self._seq = 1 + max((_seq(p) for p in self.parts_dir.glob("part-*.parquet")), default=0)
        files.write_json(self.dir / "sweep.json", sweep_document)
        if not design_path.exists() or not resume:
            files.atomic_write(design_path, lambda tmp: pq.write_table(
                pa.Table.from_pandas(self.design.runs, preserve_index=False), tmp))

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _take_lock(self) -> None:
        try:  # one writer per folder (released by the OS if the process dies)
            self._lock = files.lock_folder(self.dir)
        except files.FolderBusy:
            raise SweepError([(str(self.dir), None, "", "another sweep is writing to this "
                               "folder; wait for it or choose another --out")]) from None

    # --- writing ---------------------------------------------------------------------------
    def write(self, rows: list[dict]) -> Path:
        """Write finished runs (outcome rows from the runner) as one part file."""
        index = [int(r["run"]) for r in rows]  # run i is row i of the design
        columns = {name: [values[i] for i in index] for name, values in self._inputs.items()}
        for name in ("status", "error", *self.outcomes):
            columns[name] = [r[name] for r in rows]
        arrow = pa.table(columns, schema=self.schema)
        path = self.parts_dir / f"part-{self._seq:09d}.parquet"
        self._seq += 1
        return files.atomic_write(path, lambda tmp: pq.write_table(arrow, tmp))

    def consolidate(self) -> pd.DataFrame:
        """Merge the parts into ``results.parquet`` (atomically), then remove them."""
        parts = sorted(self.parts_dir.glob("part-*.parquet"), key=_seq)
        table = self.read(parts)
        arrow = pa.Table.from_pandas(table, schema=self.schema, preserve_index=False)
        files.atomic_write(self.results_path, lambda tmp: pq.write_table(arrow, tmp))
        _fsync_dir(self.dir)
        for part in parts:
            part.unlink(missing_ok=True)
        return table

    # --- reading ---------------------------------------------------------------------------
    def read(self, parts: list[Path] | None = None) -> pd.DataFrame:
        """Every run written so far, one row per run (the newest), sorted by run."""
        if parts is None:
            parts = sorted(self.parts_dir.glob("part-*.parquet"), key=_seq)
        tables = [pq.read_table(self.results_path)] if self.results_path.exists() else []
        tables += [pq.read_table(p) for p in parts]
        if not tables:
            return self.schema.empty_table().to_pandas()
        table = pa.concat_tables([t.select(self.schema.names).cast(self.schema) for t in tables])
        frame = table.to_pandas()
        frame = frame.drop_duplicates("run", keep="last").sort_values("run", kind="stable")
        return frame.reset_index(drop=True)

    def completed(self) -> set[int]:
        """Runs written without error (``--resume`` skips them; failed runs are run again)."""
        frame = self.read()
        return set(frame.loc[frame["status"] == "ok", "run"].tolist())


def _schema(runs: pd.DataFrame, outcomes: list[str]) -> pa.Schema:
    fields = [pa.field(name, pa.Schema.from_pandas(runs[[name]], preserve_index=False)
                       .field(name).type) for name in runs.columns]
    fields += [pa.field("status", pa.string()), pa.field("error", pa.string())]
    fields += [pa.field(name, pa.float64()) for name in outcomes]
    return pa.schema(fields)


def _same(stored: pd.DataFrame, runs: pd.DataFrame) -> bool:
    if list(stored.columns) != list(runs.columns) or len(stored) != len(runs):
        return False
    try:
        pd.testing.assert_frame_equal(stored.reset_index(drop=True), runs.reset_index(drop=True),
                                      check_dtype=False, check_exact=True)
    except AssertionError:
        return False
    return True


def _seq(path: Path) -> int:
    try:
        return int(path.stem.split("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def _fsync_dir(path: Path) -> None:
    """Make the renames in ``path`` durable before parts are removed (POSIX)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def sweep_document(sweep, design: SweepDesign, model) -> dict:
    """What ``sweep.json`` records: the sweep as run, the model's name, and a fingerprint of
    the scenario data and outcomes that ``--resume`` checks (the model is not in it: a model
    fixed after some runs failed may resume them)."""
    data = json.loads(sweep.model_dump_json())
    model_name = f"{getattr(model, '__module__', '?')}.{getattr(model, '__qualname__', model)}"
    made_of = json.dumps({"scenario": sweep.scenario_data(), "outcomes": list(sweep.outcomes)},
                         sort_keys=True, default=str)
    return {"sweep": data, "file": sweep._file, "method": design.method,
            "points": len(design.points), "runs": len(design.runs),
            "factors": {key: sweep.kind(key) for key in design.names}, "model": model_name,
            "fingerprint": hashlib.sha256(made_of.encode("utf-8")).hexdigest()}
