"""Baseline humanitarian assistance, before any scenario intervention.

Camps distribute in-kind rations (``camp_ration_share`` of the MEB per person). This aid is
part of the setting, not an intervention, so it is not in ``cost_total``; it is accounted
separately as ``baseline_aid``. Aid is reset here every step: interventions then add to it.
"""

import numpy as np

from simulation.codes import Status


def step(model, t: int) -> None:
    hh, graph = model.households, model.graph
    months = model.days_per_step / 30.0
    in_camp = np.flatnonzero(hh.status == Status.DISPLACED_CAMP)
    rations = np.zeros(len(hh))
    rations[in_camp] = (model.params.camp_ration_share * graph.meb[hh.node[in_camp].astype(np.intp)]
                        * hh.size[in_camp] * months)
    hh.aid = rations
    hh.aid_received_total += rations
    model.accounts["baseline_aid"] += float(rations.sum())
