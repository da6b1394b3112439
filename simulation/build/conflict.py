"""Read ACLED events into a monthly threat per unit.

Layout: ACLED exports (``event_date, year, event_type, sub_event_type, ..., admin1, admin2,
admin3, location, latitude, longitude, geo_precision, ..., fatalities, timestamp, iso3``),
with or without HDX's HXL row (``#date``, ``#geo+lat``, ``#geo+lon``, ``#affected+killed``,
``#event+type``); roles ``date``, ``latitude``, ``longitude``, ``fatalities``, ``event_type``.
Dates may read ``2020-05-09``, ``09 May 2020`` or ``9-May-20`` (each row any of them).

Events are placed by point in polygon (admin names disagree across sources); an event outside
every polygon, or dated outside the run, is skipped and counted as a warning.

The transform (per unit u and month t; assumption, in the spirit of Flee's ACLED-based
conflict zones, Suleimenova et al. 2017, Sci. Rep. 7:13377, where a location is in conflict
from its first event; here the intensity is kept and saturates instead of a switch)::

    intensity[u, t] = (events[u, t] + fatality_weight * fatalities[u, t]) / residents[u] * 1e5
    threat[u, t]    = max_threat * (1 - exp(-intensity[u, t] / scale))

so one event per 100,000 residents in a month gives a threat of ``max_threat * 0.39`` at the
default scale of 2, and many give ``max_threat``. After the last month of the file's events the
last value is held (the scenario's schedule semantics).
"""

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from simulation.build.provenance import Provenance
from simulation.build.recipe import BuildError, ConflictSource
from simulation.build.tables import problem, read_table

#: the date forms ACLED exports use
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%b-%y")


@dataclass
class Conflict:
    events: np.ndarray  # units x steps
    fatalities: np.ndarray  # units x steps
    rows: list[list[int]]  # per unit: the event rows placed in it
    last_step: int  # last step with data (held after)
    file: str
    column: str


def parse_dates(text: pd.Series) -> pd.Series:
    """Each cell in any of :data:`DATE_FORMATS`; NaT where none fits."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for form in DATE_FORMATS:
        missing = out.isna()
        if not missing.any():
            break
        out[missing] = pd.to_datetime(text[missing], format=form, errors="coerce")
    return out


def month_steps(when: pd.Series, start: pd.Timestamp) -> np.ndarray:
    """Months since the start month (step 0 = the start month)."""
    return ((when.dt.year - start.year) * 12 + (when.dt.month - start.month)).to_numpy()


def read_conflict(path: Path, shown: str, source: ConflictSource, units: gpd.GeoDataFrame,
                  start: pd.Timestamp, steps: int, provenance: Provenance) -> Conflict:
    table = read_table(path, shown)
    m = source.columns
    date = table.find("date", m, hxl=["#date"], names=["event_date"], wanted="the event date")
    lat = table.find("latitude", m, hxl=["#geo+lat"], names=["latitude"], wanted="latitude")
    lon = table.find("longitude", m, hxl=["#geo+lon"], names=["longitude"], wanted="longitude")
    killed = table.find("fatalities", m, hxl=["#affected+killed"], names=["fatalities"],
                        wanted="fatalities")
    kind = table.find("event_type", m, hxl=["#event+type"], names=["event_type"],
                      required=source.event_types is not None, wanted="the event type")
    frame, rows = table.frame, table.rows()
    when = parse_dates(frame[date].str.strip())
    bad = np.flatnonzero(when.isna().to_numpy())
    if bad.size:
        raise BuildError([problem(shown, int(rows[bad[0]]), date, f"not a date: "
                                  f"{frame[date].iloc[bad[0]]!r} (allowed: 2020-05-09, "
                                  f"09 May 2020, 9-May-20; {bad.size} such rows)")])
    x, y, deaths = _signed(table, lon), _signed(table, lat), table.numbers(killed)
    outside_world = np.flatnonzero((np.abs(x) > 180) | (np.abs(y) > 90))
    if outside_world.size:
        i = outside_world[0]
        raise BuildError([problem(shown, int(rows[i]), lat, "not a longitude/latitude "
                                  f"({x[i]}, {y[i]})")])
    keep = np.ones(len(frame), dtype=bool)
    if source.event_types is not None:
        keep &= frame[kind].str.strip().isin(source.event_types).to_numpy()
    step = month_steps(when, start)
    last_step = int(np.clip(step.max(), 0, steps - 1)) if len(step) else 0
    for i in np.flatnonzero(keep & ((step < 0) | (step >= steps))):
        provenance.warn(shown, int(rows[i]), date, "an event outside the run's months",
                        "event skipped")
    keep &= (step >= 0) & (step < steps)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")
    joined = gpd.sjoin(points, units[["geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]  # a point on a shared border
    unit = joined["index_right"].reindex(points.index).to_numpy()
    outside = np.isnan(unit.astype(float))
    for i in np.flatnonzero(keep & outside):
        provenance.warn(shown, int(rows[i]), lat, "an event outside every unit polygon",
                        "event skipped")
    keep &= ~outside
    n = len(units)
    events = np.zeros((n, steps))
    fatalities = np.zeros((n, steps))
    where = unit[keep].astype(int)
    positions = units.index.get_indexer(where)
    np.add.at(events, (positions, step[keep]), 1.0)
    np.add.at(fatalities, (positions, step[keep]), deaths[keep])
    cited: list[list[int]] = [[] for _ in range(n)]
    for p, r in zip(positions, rows[keep], strict=True):
        cited[p].append(int(r))
    provenance.source("conflict", path, shown, rows=len(frame), events_used=int(keep.sum()),
                      columns={"date": date, "latitude": lat, "longitude": lon,
                               "fatalities": killed})
    return Conflict(events, fatalities, cited, last_step, shown, killed)


def threat(conflict: Conflict, residents: np.ndarray, source: ConflictSource) -> np.ndarray:
    """Units x steps threat from the events (module docstring); held after the data end."""
    per = np.maximum(residents, 1.0)[:, None]
    intensity = (conflict.events + source.fatality_weight * conflict.fatalities) / per * 1e5
    out = source.max_threat * (1.0 - np.exp(-intensity / source.scale))
    out[:, conflict.last_step + 1:] = out[:, [conflict.last_step]]
    return out


def _signed(table, column: str) -> np.ndarray:
    """A coordinate column (may be negative)."""
    text = table.frame[column].str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(np.isnan(values))
    if bad.size:
        raise BuildError([problem(table.file, int(table.rows([bad[0]])[0]), column,
                                  f"not a number: {text.iloc[bad[0]]!r}")])
    return values
