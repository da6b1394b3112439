"""The calibrated defaults: fitted values that replace the declared defaults of some parameters.

``simulation/calibrated.yaml`` is written by one command, ``prds calibrate
scenarios/evidence/calibration.yaml --apply`` (README "Calibrating"), never by hand. When
``simulation.params`` is imported, each parameter named there takes the fitted value as its
default, and its ``source`` says "calibrated: <command>", followed by what was declared. So
every bundled scenario, the app's controls, the sweeps and the reports use one calibrated
set, and a scenario that sets a parameter explicitly still wins.
"""

from pathlib import Path

import yaml

#: where ``prds calibrate --apply`` writes the fitted values
CALIBRATED_FILE = Path(__file__).with_name("calibrated.yaml")


def read_calibrated(path: Path, fields: dict) -> tuple[dict[str, float], str]:
    """The fitted values in ``path`` and the command that wrote them ({} without a file).

    ``fields`` is ``Parameters.model_fields``: a name it lacks, or a value outside the
    declared range, is an error naming the file and the key (the file is stale).
    """
    if not path.exists():
        return {}, ""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    values = data.get("parameters") or {}
    if not isinstance(values, dict):
        raise ValueError(f"{path}: parameters: must be a mapping of parameter name to value")
    out = {}
    for name, value in values.items():
        if name not in fields:
            raise ValueError(f"{path}: parameters.{name}: not a parameter of simulation/params.py "
                             f"(rerun the command in the file's header)")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{path}: parameters.{name}: must be a number (got {value!r})")
        low, high = _bounds(fields[name])
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{path}: parameters.{name}: {value} is outside the declared range "
                             f"{low}..{high}")
        out[name] = float(value)
    return out, str(data.get("command") or f"see {path.name}")


def use_calibrated(model: type, path: Path = CALIBRATED_FILE) -> dict[str, float]:
    """Make the values in ``path`` the defaults of ``model``'s fields; return them."""
    fitted, command = read_calibrated(path, model.model_fields)
    for name, value in fitted.items():
        field = model.model_fields[name]
        declared = (field.json_schema_extra or {}).get("source", "")
        field.json_schema_extra = {"source": f"calibrated: {command} (declared default "
                                             f"{field.default:g}: {declared})"}
        field.default = value
    if fitted:
        model.model_rebuild(force=True)
    return fitted


def _bounds(field) -> tuple[float | None, float | None]:
    low = high = None
    for meta in field.metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    return low, high
