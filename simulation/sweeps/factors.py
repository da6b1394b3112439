"""Factors of a sweep: what may vary, over which range or distribution (EMA Workbench style).

A factor is a scenario key path (``parameters.flight_rate``, ``interventions.cash.transfer``)
with a distribution. Uncertainties (what we do not know about the world) and levers (what a
planner decides) are both factors; the sweep file keeps them in separate lists so the analysis
can tell them apart, and the samplers treat them alike.

Every sampler draws points in the unit cube; ``Factor.from_unit`` maps a column of that cube
to values with the factor's inverse distribution function, so one code path serves grid, LHS,
Sobol and Morris designs and every distribution.
"""

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator
from scipy import stats

#: unbounded distributions are cut at these quantiles, so that designs that touch the edge of
#: the unit cube (Morris levels, grid ends) give finite values (assumption; 0.1% tails).
TAIL = 1e-3


class _Factor(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    integer: bool = Field(False, description="round to whole numbers (for counts and steps)")

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Values for unit-cube coordinates ``u`` in [0, 1]."""
        raise NotImplementedError

    def grid(self, levels: int) -> list:
        """``levels`` values spread over the range, ends included (grid designs)."""
        return _unique(self.from_unit(np.linspace(0.0, 1.0, levels)))

    def extremes(self) -> list:
        """The values at both ends of the range (checked against the scenario up front)."""
        return _unique(self.from_unit(np.array([0.0, 1.0])))

    def _round(self, values: np.ndarray) -> np.ndarray:
        return np.floor(values + 0.5).astype(np.int64) if self.integer else values


class Uniform(_Factor):
    """Uniform between ``low`` and ``high`` (the default when only a range is given)."""

    distribution: Literal["uniform"] = "uniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _range(self):
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        if self.integer and math.floor(self.high) - math.ceil(self.low) < 1:
            raise ValueError(f"an integer factor needs two whole numbers or more in "
                             f"[{self.low}, {self.high}]")
        return self

    def from_unit(self, u):
        if self.integer:  # each whole number in [low, high] equally likely
            lo, hi = math.ceil(self.low), math.floor(self.high)
            return np.minimum(lo + np.floor(u * (hi - lo + 1)), hi).astype(np.int64)
        return self.low + u * (self.high - self.low)


class LogUniform(_Factor):
    """Uniform in the logarithm between ``low`` and ``high`` (rates spanning decades)."""

    distribution: Literal["loguniform"] = "loguniform"
    low: Annotated[float, Field(gt=0.0)]
    high: Annotated[float, Field(gt=0.0)]

    @model_validator(mode="after")
    def _range(self):
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self

    def from_unit(self, u):
        lo, hi = math.log(self.low), math.log(self.high)
        return self._round(np.exp(lo + u * (hi - lo)))


class Triangular(_Factor):
    """Triangular between ``low`` and ``high`` with its peak at ``mode``."""

    distribution: Literal["triangular"] = "triangular"
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _range(self):
        if not (self.low <= self.mode <= self.high and self.high > self.low):
            raise ValueError(f"need low <= mode <= high and low < high (got {self.low}, "
                             f"{self.mode}, {self.high})")
        return self

    def from_unit(self, u):
        width = self.high - self.low
        return self._round(stats.triang.ppf(u, c=(self.mode - self.low) / width, loc=self.low,
                                            scale=width))


class Normal(_Factor):
    """Normal with ``mean`` and ``sd``, optionally truncated to [``low``, ``high``]."""

    distribution: Literal["normal"] = "normal"
    mean: float
    sd: Annotated[float, Field(gt=0.0)]
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _range(self):
        if self.low is not None and self.high is not None and not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self

    def from_unit(self, u):
        a = -np.inf if self.low is None else (self.low - self.mean) / self.sd
        b = np.inf if self.high is None else (self.high - self.mean) / self.sd
        u = np.clip(u, TAIL if self.low is None else 0.0, 1.0 - TAIL if self.high is None else 1.0)
        return self._round(stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd))

    def grid(self, levels):
        if self.low is None or self.high is None:  # mid-quantiles: tails stay out of a grid
            return _unique(self.from_unit((np.arange(levels) + 0.5) / levels))
        return super().grid(levels)


class Values(_Factor):
    """One of the listed ``values``, each equally likely (numbers or names)."""

    distribution: Literal["values"] = "values"
    values: Annotated[list[float | str], Field(min_length=2)]

    @model_validator(mode="after")
    def _same_kind(self):
        kinds = {isinstance(v, str) for v in self.values}
        if len(kinds) > 1:
            raise ValueError("values must be all numbers or all names, not a mix")
        if len(set(self.values)) != len(self.values):
            raise ValueError("values must not repeat")
        return self

    @property
    def names(self) -> bool:
        return isinstance(self.values[0], str)

    def from_unit(self, u):
        index = np.minimum(np.floor(np.asarray(u) * len(self.values)).astype(np.int64),
                           len(self.values) - 1)
        table = np.array(self.values, dtype=object if self.names else np.float64)
        return self._round(table[index]) if not self.names else table[index]

    def grid(self, levels):
        return list(self.values) if not self.integer else _unique(self._round(
            np.array(self.values, dtype=np.float64)))


def _factor_tag(value: Any) -> str:
    """Which distribution a factor mapping declares (``values:`` or a range imply one)."""
    if isinstance(value, dict):
        if "distribution" in value:
            return str(value["distribution"])
        return "values" if "values" in value else "uniform"
    return getattr(value, "distribution", "uniform")


Factor = Annotated[
    Annotated[Uniform, Tag("uniform")] | Annotated[LogUniform, Tag("loguniform")]
    | Annotated[Triangular, Tag("triangular")] | Annotated[Normal, Tag("normal")]
    | Annotated[Values, Tag("values")],
    Discriminator(_factor_tag, custom_error_type="distribution",
                  custom_error_message="unknown distribution; allowed: uniform, loguniform, "
                                       "triangular, normal, values"),
]

DISTRIBUTIONS = ("uniform", "loguniform", "triangular", "normal", "values")


def value_kind(factor) -> str:
    """The Parquet column type of a factor's values: ``int``, ``float`` or ``str``."""
    if isinstance(factor, Values) and factor.names:
        return "str"
    return "int" if factor.integer else "float"


def _unique(values) -> list:
    """Distinct values in order, as plain Python scalars."""
    out: list = []
    for value in np.asarray(values).tolist():
        if value not in out:
            out.append(value)
    return out
