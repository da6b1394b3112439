"""Write output files atomically: to a temporary file beside the target, then rename.

A run that dies mid-write leaves either no file or the previous complete one, never a
partial file (``os.replace`` is atomic on one filesystem). The temporary file is named
``.NAME.HOST-PID.XXXX.tmp``; the next write of NAME removes those left by a process of this
host that no longer runs (a writer that was killed), and leaves other hosts' alone (on a
shared filesystem their processes cannot be checked from here).
"""

import glob
import json
import os
import re
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

#: the process's umask, read once at import (reading it means setting it: not thread-safe)
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then move the result to ``path`` in one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{_HOST}-{os.getpid()}.", suffix=".tmp",
                               dir=path.parent)
    os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600 files; outputs get the usual mode
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        with open(tmp_path, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


#: this host's name as it appears in temporary names (dots and dashes would be ambiguous)
_HOST = re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname()) or "host"


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove ``path``'s temporary files left by dead writers on this host; return them."""
    removed = []
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\w+)-(\d+)\.[^.]+\.tmp$")
    for candidate in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        found = pattern.match(candidate.name)
        if found is None or found.group(1) != _HOST or _alive(int(found.group(2))):
            continue
        candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it runs
        return True
    return True


class FolderBusy(OSError):
    """Another process holds the folder's lock (see :func:`lock_folder`)."""


def lock_folder(directory: str | Path):
    """Take an exclusive lock on ``directory/.lock``; return the handle that holds it.

    A POSIX advisory lock, released by closing the handle or by the OS when the process dies
    (a killed writer never leaves a folder locked). Raises :class:`FolderBusy` if another
    process holds it. One writer per output folder: sweeps, calibrations.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return None
    handle = open(Path(directory) / ".lock", "w")  # noqa: SIM115 - held until closed
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise FolderBusy(f"another process is writing to {directory}") from None
    return handle


def write_json(path: str | Path, data) -> Path:
    text = json.dumps(data, indent=2, sort_keys=False, allow_nan=False, default=_plain)
    return atomic_write(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def write_text(path: str | Path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_parquet(path: str | Path, frame: pd.DataFrame) -> Path:
    return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))


def save_figure(path: str | Path, figure) -> Path:
    """Save a matplotlib figure as PNG atomically and close it."""
    import matplotlib.pyplot as plt

    try:
        return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=110,
                                                              bbox_inches="tight"))
    finally:
        plt.close(figure)


def _plain(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
