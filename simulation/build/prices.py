"""Read WFP VAM food prices into a monthly MEB (minimum expenditure basket) per unit.

Layout: WFP's HDX export ``date, admin1, admin2, market, market_id, latitude, longitude,
category, commodity, commodity_id, unit, priceflag, pricetype, currency, price, usdprice`` with
its HXL row (``#date``, ``#loc+market+name``, ``#loc+market+code``, ``#geo+lat``, ``#geo+lon``,
``#item+name``, ``#item+unit``, ``#item+price+type``, ``#currency``, ``#value``,
``#value+usd``); roles of the same names for a ``columns:`` mapping.

The recipe names a basket (commodity, unit, quantity per person-month) and a non-food share:

    MEB[market, month] = sum(quantity * price per unit in USD) / (1 - non_food_share)

Prices are converted between units of one kind (``KG``, ``100 KG``, ``G``; ``L``, ``ML``);
a row in another unit (``Bunch``, ``Unit``...) cannot be converted and is skipped, counted as a
warning, as are rows outside the run's months and rows with neither a USD price nor a price in
USD. A month without a price at a market takes the market's previous price (else its next);
a commodity a market never reports takes the median of the other markets that month (warning).
A unit takes the mean MEB of the markets inside it, else the nearest market's.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from simulation.build.conflict import month_steps
from simulation.build.graph import great_circle_km
from simulation.build.provenance import Provenance
from simulation.build.recipe import BuildError, PricesSource
from simulation.build.tables import problem, read_table

#: units per kind, in the kind's base unit
UNITS = {"KG": ("mass", 1.0), "G": ("mass", 0.001), "MT": ("mass", 1000.0),
         "L": ("volume", 1.0), "ML": ("volume", 0.001)}
_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)?\s*([A-Za-z]+)\s*$")


def unit_factor(text: str) -> tuple[str, float] | None:
    """``"100 KG"`` -> ``("mass", 100.0)``; None for a unit that is not a quantity."""
    found = _UNIT.match(str(text))
    if not found or found.group(2).upper() not in UNITS:
        return None
    kind, size = UNITS[found.group(2).upper()]
    return kind, size * float(found.group(1) or 1.0)


@dataclass
class Prices:
    meb: np.ndarray  # units x steps, USD per person-month
    markets: list[list[str]]  # per unit: the markets used
    nearest: np.ndarray  # per unit: True when no market inside (nearest market used)
    rows: list[list[int]]  # per unit: rows of the markets used
    file: str
    column: str


def read_prices(path: Path, shown: str, source: PricesSource, units: gpd.GeoDataFrame,
                start: pd.Timestamp, steps: int, provenance: Provenance) -> Prices:
    table = read_table(path, shown)
    m = source.columns
    date = table.find("date", m, hxl=["#date"], names=["date"], wanted="the price date")
    market = table.find("market", m, hxl=["#loc+market+name"], names=["market"], wanted="market")
    market_id = table.find("market_id", m, hxl=["#loc+market+code"], names=["market_id"],
                           required=False)
    lat = table.find("latitude", m, hxl=["#geo+lat"], names=["latitude"], wanted="latitude")
    lon = table.find("longitude", m, hxl=["#geo+lon"], names=["longitude"], wanted="longitude")
    commodity = table.find("commodity", m, hxl=["#item+name"], names=["commodity"],
                           wanted="commodity")
    unit = table.find("unit", m, hxl=["#item+unit"], names=["unit"], wanted="unit")
    pricetype = table.find("pricetype", m, hxl=["#item+price+type"], names=["pricetype"],
                           required=source.pricetype is not None, wanted="pricetype")
    currency = table.find("currency", m, hxl=["#currency"], names=["currency"], required=False)
    price = table.find("price", m, hxl=["#value-usd"], names=["price"], required=False)
    usd = table.find("usdprice", m, hxl=["#value+usd"], names=["usdprice"], required=False)
    if usd is None and (price is None or currency is None):
        table.find("usdprice", m, hxl=["#value+usd"], names=["usdprice"], wanted="a USD price")
    frame, rows = table.frame, table.rows()

    basket = {item.commodity.strip().lower(): j for j, item in enumerate(source.basket)}
    names = frame[commodity].str.strip().str.lower()
    keep = names.isin(list(basket)).to_numpy().copy()
    if source.pricetype is not None:
        keep &= (frame[pricetype].str.strip().str.lower() == source.pricetype.lower()).to_numpy()
    for item in source.basket:
        if not (keep & (names == item.commodity.strip().lower()).to_numpy()).any():
            found = sorted(frame[commodity].str.strip().unique())[:15]
            raise BuildError([problem(shown, None, commodity, f"no {source.pricetype or ''} "
                                      f"price for the basket's {item.commodity!r}; commodities "
                                      f"in the file: {', '.join(found)}")])
    when = pd.to_datetime(frame[date].str.strip(), errors="coerce", format="ISO8601")
    bad = np.flatnonzero(keep & when.isna().to_numpy())
    if bad.size:
        raise BuildError([problem(shown, int(rows[bad[0]]), date, f"not a date: "
                                  f"{frame[date].iloc[bad[0]]!r}")])
    step = np.where(when.isna(), -1, month_steps(when.fillna(start), start))
    value = _usd(table, keep, usd, price, currency, provenance)
    keep &= ~np.isnan(value)
    per_unit = np.full(len(frame), np.nan)
    for i in np.flatnonzero(keep):
        item = source.basket[basket[names.iloc[i]]]
        have, want = unit_factor(frame[unit].iloc[i]), unit_factor(item.unit)
        if have is None or want is None or have[0] != want[0]:
            provenance.warn(shown, int(rows[i]), unit, f"a price in a unit that is not "
                            f"{item.unit} nor convertible to it", "row skipped")
            continue
        per_unit[i] = value[i] / have[1] * want[1]
    keep &= ~np.isnan(per_unit)
    for i in np.flatnonzero(keep & ((step < 0) | (step >= steps))):
        provenance.warn(shown, int(rows[i]), date, "a price outside the run's months",
                        "row skipped")
    keep &= (step >= 0) & (step < steps)
    if not keep.any():
        raise BuildError([problem(shown, None, date, "no usable price in the run's months")])

    key = (frame[market_id] if market_id else frame[market]).str.strip()
    used = pd.DataFrame({"market": key[keep].to_numpy(), "item": names[keep].map(basket),
                         "step": step[keep], "price": per_unit[keep], "row": rows[keep]})
    places = pd.DataFrame({"market": key, "name": frame[market].str.strip(),
                           "x": pd.to_numeric(frame[lon], errors="coerce"),
                           "y": pd.to_numeric(frame[lat], errors="coerce")})[keep]
    places = places.groupby("market", sort=True).first()
    if places[["x", "y"]].isna().any(axis=None):
        name = places.index[places[["x", "y"]].isna().any(axis=1)][0]
        raise BuildError([problem(shown, None, lat, f"market {name!r} has no coordinates")])
    markets = list(places.index)
    at = {name: i for i, name in enumerate(markets)}
    cost = np.full((len(markets), len(basket), steps), np.nan)
    mean = used.groupby(["market", "item", "step"])["price"].mean()
    for (name, j, t), v in mean.items():
        cost[at[name], j, t] = v
    for a in range(len(markets)):  # previous month's price, else the next
        for j in range(len(basket)):
            series = pd.Series(cost[a, j]).ffill().bfill()
            cost[a, j] = series.to_numpy()
    for j, item in enumerate(source.basket):
        never = np.isnan(cost[:, j, 0])
        if never.any():
            cost[never, j] = np.nanmedian(cost[~never, j], axis=0)
            for a in np.flatnonzero(never):
                provenance.warn(shown, None, commodity, f"a market that never reports "
                                f"{item.commodity} ({places['name'].iloc[a]})", "the other markets' median")
    quantity = np.array([item.quantity for item in source.basket])
    meb_market = (cost * quantity[None, :, None]).sum(axis=1) / (1.0 - source.non_food_share)

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(places["x"], places["y"]),
                              crs="EPSG:4326")
    joined = gpd.sjoin(points, units[["geometry"]], how="inner", predicate="within")
    inside: dict[int, list[int]] = {}
    for a, u in zip(joined.index, joined["index_right"], strict=True):
        inside.setdefault(units.index.get_loc(u), []).append(int(a))
    n = len(units)
    meb = np.zeros((n, steps))
    nearest = np.zeros(n, dtype=bool)
    chosen: list[list[int]] = []
    for u in range(n):
        picked = inside.get(u)
        if not picked:
            km = great_circle_km(units["x"].iloc[u], units["y"].iloc[u], places["x"].to_numpy(),
                                 places["y"].to_numpy())
            picked = [int(np.argmin(km))]
            nearest[u] = True
        meb[u] = meb_market[picked].mean(axis=0)
        chosen.append(picked)
    market_rows = used.groupby("market")["row"].apply(list)
    provenance.source("prices", path, shown, rows=len(frame), rows_used=int(keep.sum()),
                      markets=len(markets), columns={"usdprice": usd or price})
    return Prices(meb, [[str(places["name"].iloc[a]) for a in c] for c in chosen], nearest,
                  [sorted(r for a in c for r in market_rows[markets[a]]) for c in chosen],
                  shown, usd or price)


def _usd(table, keep: np.ndarray, usd, price, currency, provenance) -> np.ndarray:
    """USD price of each kept row (NaN where none: counted)."""
    frame, rows = table.frame, table.rows()
    out = np.full(len(frame), np.nan)
    given = frame[usd].str.strip() if usd else pd.Series([""] * len(frame))
    local = frame[price].str.strip() if price else pd.Series([""] * len(frame))
    code = frame[currency].str.strip().str.upper() if currency else pd.Series([""] * len(frame))
    for i in np.flatnonzero(keep):
        text = given.iloc[i] or (local.iloc[i] if code.iloc[i] == "USD" else "")
        if not text:
            provenance.warn(table.file, int(rows[i]), usd or price, "no price in USD",
                            "row skipped")
            continue
        try:
            out[i] = float(text.replace(",", ""))
        except ValueError:
            raise BuildError([problem(table.file, int(rows[i]), usd or price,
                                      f"not a number: {text!r}")]) from None
        if out[i] < 0:
            raise BuildError([problem(table.file, int(rows[i]), usd or price,
                                      f"a price must be >= 0 (got {text!r})")])
    return out
