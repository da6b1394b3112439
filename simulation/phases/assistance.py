"""Baseline humanitarian assistance, before any scenario intervention.

Camps distribute in-kind rations (``camp_ration_share`` of the MEB per person). This aid is
part of the setting, not an intervention, so it is not in ``cost_total``; it is accounted
separately as ``baseline_aid``. Aid is reset here every step: interventions then add to it.
"""

import numpy as np

from simulation.codes import Status


def step(model, t: int) -> None:
    months = model.days_per_step / 30.0
    share, meb_by_node = model.params.camp_ration_share, model.graph.meb
    # (on the whole store: too little work to share out on row slices)
    rations = ration(model.households, meb_by_node, share, months)
    model.accounts["baseline_aid"] += float(rations.sum())


def ration(hh, meb_by_node: np.ndarray, share: float, months: float) -> np.ndarray:
    """The camp rations (USD this step) of the households ``hh`` (the store or a slice of its
    rows): ``share`` of the MEB per person at their node for those in a camp, none for the
    others. They become the households' aid this step and are added to what they received
    so far, in place; returned, one per household."""
    in_camp = np.flatnonzero(hh.status == Status.DISPLACED_CAMP)
    rations = np.zeros(len(hh))
    rations[in_camp] = (share * meb_by_node[hh.node[in_camp].astype(np.intp)]
                        * hh.size[in_camp] * months)
    hh.aid = rations
    hh.aid_received_total += rations
    return rations
