"""The schema of an evidence entry: one published result and the study design that reproduces it.

An entry file (``scenarios/evidence/<id>.yaml``) says what was published (citation,
population, intervention or condition, outcome, size and interval, timing) and how the model
measures the same thing (``design``): the scenario, who is measured, the statistic, when,
and the band within which the model's median must fall (``tolerance``, derived from the
published interval; ``how`` says how). ``use: fit`` entries may enter a calibration loss;
``use: test`` entries never do (they test the fitted set on evidence it was not fitted to).

Who is measured (``design.who``):

- ``participants``: the households the scenario's interventions reached, against the *same
  households* in the paired baseline run (same rows, same seed), as a randomised trial
  compares treatment with control; the statistic is an effect (``relative_effect``,
  ``effect``);
- ``population``: the households of the named groups and statuses at each step, as a
  cross-sectional survey samples them (``mean``, ``share``, ``conditional_share``);
- ``cutoff``: households on either side of a threshold of an assignment variable before
  the first step (pre-treatment), as a regression discontinuity compares them: the
  difference of the outcome's mean just above and just below (``bandwidth`` either side).
"""

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulation.codes import Group, Status, names

GroupName = Literal[tuple(names(Group))]  # type: ignore[valid-type]
StatusName = Literal[tuple(names(Status))]  # type: ignore[valid-type]

#: statistics per design; an effect needs a paired baseline, a survey statistic does not
PAIRED_STATISTICS = ("relative_effect", "effect")
SURVEY_STATISTICS = ("mean", "share", "conditional_share")
CUTOFF_STATISTICS = ("discontinuity",)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(Strict):
    """Where the result was published."""

    text: str = Field(min_length=1, description="authors, year, title, venue")
    doi: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _has_a_link(self):
        if not (self.doi or self.url):
            raise ValueError("a citation needs a doi or a url")
        return self


class Published(Strict):
    """The published figure: a point and/or an interval, in the unit given, and its words."""

    value: float | None = Field(None, description="point estimate (null: only a direction or range)")
    low: float | None = Field(None, description="lower end of the published interval or range")
    high: float | None = Field(None, description="upper end of the published interval or range")
    unit: str = Field(description="e.g. 'relative effect', 'share of households', 'USD'")
    quote: str = Field(min_length=1, description="the result as published, in words")


class Tolerance(Strict):
    """The band the model's median must fall in, and how it was derived from the publication."""

    low: float | None = Field(None, description="lower edge (null: no lower edge)")
    high: float | None = Field(None, description="upper edge (null: no upper edge)")
    scale: float | None = Field(
        None, gt=0, description="distance that counts as one unit of loss outside the band "
        "(default: half the band's width; needed when the band is open on one side)")
    how: str = Field(min_length=1, description="how the band follows from the published interval")

    @model_validator(mode="after")
    def _closed_or_scaled(self):
        if self.low is None and self.high is None:
            raise ValueError("a tolerance needs a low or a high edge")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"tolerance low {self.low} is above high {self.high}")
        if (self.low is None or self.high is None) and self.scale is None:
            raise ValueError("a band open on one side needs a scale")
        return self

    @property
    def unit(self) -> float:
        """One unit of loss: ``scale``, or half the band's width."""
        if self.scale is not None:
            return float(self.scale)
        return max((self.high - self.low) / 2.0, 1e-12)  # type: ignore[operator]

    def loss(self, value: float, margin: float = 0.0) -> float:
        """0 inside the band; outside, the distance to the nearest edge in units of ``unit``.

        With a ``margin`` (in units, 0 <= margin < 1), the band is first narrowed by that much
        at each edge it has (a two-sided band at most to its centre): a calibration aiming
        inside the band by a margin keeps its fit when other replicates move the model's
        median, where one aiming at the band itself may settle on an edge."""
        if not math.isfinite(value):
            return math.inf
        low, high = self.low, self.high
        if margin > 0:
            shift = margin * self.unit
            if low is not None and high is not None:
                shift = min(shift, (high - low) / 2.0)
            low = None if low is None else low + shift
            high = None if high is None else high - shift
        if low is not None and value < low:
            return (low - value) / self.unit
        if high is not None and value > high:
            return (value - high) / self.unit
        return 0.0

    def contains(self, value: float) -> bool:
        return math.isfinite(value) and self.loss(value) == 0.0


class Design(Strict):
    """The study design reproduced in the model (see module docstring)."""

    scenario: str = Field(description="scenario YAML, relative to the entry file")
    baseline: str | None = Field(
        None, description="the paired baseline scenario (participants and cutoff designs)")
    who: Literal["participants", "population", "cutoff"]
    intervention: str | None = Field(
        None, description="participants of this intervention only (its name; default: any)")
    groups: list[GroupName] = Field(default_factory=list, description="measured groups (all if empty)")
    statuses: list[StatusName] = Field(default_factory=list,
                                       description="measured statuses (all if empty)")
    variable: str = Field(description="the measured household quantity (evidence/measures.py)")
    among: str | None = Field(
        None, description="conditional_share: the share of `variable` among households with this")
    statistic: Literal[PAIRED_STATISTICS + SURVEY_STATISTICS + CUTOFF_STATISTICS]  # type: ignore[valid-type]
    at: int = Field(ge=1, description="the step (month) the publication's timing corresponds to")
    relative_to: int | None = Field(
        None, ge=1, description="if set, the target is statistic(at) / statistic(relative_to): "
        "a persistence, growth or fading ratio")
    steps: int | None = Field(None, ge=1, description="steps to run (default: the scenario's)")
    assignment: str | None = Field(None, description="cutoff: the assignment variable")
    threshold: float | None = Field(None, description="cutoff: the assignment threshold")
    bandwidth: float | None = Field(None, gt=0, description="cutoff: window either side")

    @model_validator(mode="after")
    def _coherent(self):
        if self.who == "participants" and self.statistic not in PAIRED_STATISTICS:
            raise ValueError(f"who: participants needs an effect statistic {PAIRED_STATISTICS}, "
                             f"not {self.statistic!r}")
        if self.who == "population" and self.statistic not in SURVEY_STATISTICS:
            raise ValueError(f"who: population needs a survey statistic {SURVEY_STATISTICS}, "
                             f"not {self.statistic!r}")
        if self.who == "cutoff" and self.statistic not in CUTOFF_STATISTICS:
            raise ValueError(f"who: cutoff needs the statistic 'discontinuity', not {self.statistic!r}")
        if self.who == "participants" and self.baseline is None:
            raise ValueError("who: participants needs a paired baseline scenario")
        if self.who == "cutoff" and None in (self.assignment, self.threshold, self.bandwidth):
            raise ValueError("who: cutoff needs assignment, threshold and bandwidth")
        if (self.statistic == "conditional_share") != (self.among is not None):
            raise ValueError("`among` goes with statistic conditional_share (and it needs one)")
        horizon = max(self.at, self.relative_to or 0)
        if self.steps is not None and horizon > self.steps:
            raise ValueError(f"at/relative_to step {horizon} is beyond steps {self.steps}")
        return self


class EvidenceEntry(Strict):
    """One published result and its reproduction in the model."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="short name, the file's stem")
    citation: Citation
    population: str = Field(min_length=1, description="who was studied, where, when")
    intervention: str = Field(min_length=1, description="the intervention, or the condition observed")
    outcome: str = Field(min_length=1, description="what was measured, as the study defines it")
    published: Published
    timing: str = Field(min_length=1, description="when it was measured, and the model step used")
    design: Design
    tolerance: Tolerance
    use: Literal["fit", "test"]
    notes: str = ""
