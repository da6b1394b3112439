"""Household quantities a study can measure, read from the model's state after a step.

Each measure is a pure function of the model (its household store and graph) returning one
float per household; survey shares are means of 0/1 measures. The engine defines every
quantity (``simulation/state.py`` says what each column means); this module only reads them,
so an outcome the engine does not represent cannot be faked here.
"""

from collections.abc import Callable

import numpy as np

from simulation.codes import Coping

Measure = Callable[[object], np.ndarray]


def _column(name: str) -> Measure:
    def read(model) -> np.ndarray:
        return getattr(model.households, name).astype(np.float64)
    read.__doc__ = f"the household column {name!r}"
    return read


def _flag(rule: Callable[[object], np.ndarray], doc: str) -> Measure:
    def read(model) -> np.ndarray:
        return rule(model.households).astype(np.float64)
    read.__doc__ = doc
    return read


#: every measure by name: (what it is, how it is read)
MEASURES: dict[str, tuple[str, Measure]] = {
    "consumption": ("household consumption expenditure this month (USD; state.py)",
                    _column("consumption")),
    "income": ("earned income this month (USD), remittances included", _column("income")),
    "aid": ("aid received this month (USD): rations, transfers, programme wages", _column("aid")),
    "income_and_aid": ("income + aid this month (USD)",
                       lambda m: (m.households.income + m.households.aid).astype(np.float64)),
    "savings": ("savings stock (USD)", _column("savings")),
    "wealth": ("savings + productive assets + income (USD): what poorest-first targeting ranks",
               lambda m: (m.households.savings.astype(np.float64) + m.households.assets
                          + m.households.income)),
    "debt": ("debt stock (USD)", _column("debt")),
    "rcsi": ("reduced Coping Strategies Index, 0..56", _column("rcsi")),
    "in_debt": ("1 if the household owes anything",
                _flag(lambda hh: hh.debt > 0.5, "1 if debt above USD 0.5")),
    "any_coping": ("1 if any livelihood coping strategy was used this month (LCS stress or worse)",
                   _flag(lambda hh: hh.lcs >= Coping.STRESS, "LCS >= stress")),
    "crisis_or_worse": ("1 if LCS crisis or emergency this month",
                        _flag(lambda hh: hh.lcs >= Coping.CRISIS, "LCS >= crisis")),
    "emergency": ("1 if LCS emergency this month",
                  _flag(lambda hh: hh.lcs == Coping.EMERGENCY, "LCS == emergency")),
    "food_insecure": ("1 if CARI moderately or severely food insecure (3 or 4)",
                      _flag(lambda hh: hh.cari >= 3, "CARI >= 3")),
    "below_meb": ("1 if consumption is below the MEB basket, the poverty line (state.py)",
                  _column("below_meb")),
    "below_survival": ("1 if consumption is below the survival minimum (state.py)",
                       _column("below_survival")),
    "hopes_to_return": ("1 if the household hopes to return home one day (indicators.py)",
                        _flag(lambda hh: hh.return_hope, "hopes to return one day")),
    "intends_to_return": ("1 if it intends to return within 12 months (indicators.py)",
                          _flag(lambda hh: hh.return_intent, "intends to return within 12 months")),
    "home_unusable": ("1 if a returnee cannot move back into its own home (indicators.py)",
                      _flag(lambda hh: hh.home_unusable > 0, "cannot move back home")),
    "origin_damage": ("damage at the household's origin, 0..1: the share of its housing, "
                      "services and jobs destroyed (shocks.py)",
                      lambda m: np.take(m.graph.damage, m.households.origin.astype(np.intp))
                      .astype(np.float64)),
    "home_damaged": ("1 if a returnee's own home is too damaged to live in (indicators.py)",
                     _flag(lambda hh: hh.home_unusable == 1, "home damaged")),
}


def measure(name: str) -> Measure:
    """The measure called ``name``; a clear error listing them if there is none."""
    try:
        return MEASURES[name][1]
    except KeyError:
        raise KeyError(f"unknown measure {name!r}; measures: {', '.join(MEASURES)}") from None
