"""Where the modelled graduation effect comes from (issue 14): from the casual workers given
the asset, whose small business grows, and not from households with no livelihood.

Until 2026-12-07 evening the West Bengal effect came wholly from the fifth of participants
with livelihood ``none``: the asset started a business for them and made their other members
job seekers (+136-140% consumption), while the casual workers consumed 3-8% less than in the
control (README, "What the failures still say"). This test fails if that artefact returns.
"""

from pathlib import Path

import numpy as np
import pytest

from simulation.codes import Livelihood
from simulation.model import PRDSModel
from simulation.outputs.recorder import StateOnly
from simulation.scenario import load_scenario

DESIGNS = Path(__file__).resolve().parents[2] / "scenarios" / "evidence" / "designs"


def _consumption(name: str, seed: int):
    """(consumption of every household at every step, assets, starting livelihood, model)."""
    model = PRDSModel(load_scenario(DESIGNS / name), seed=seed, steps=85, with_agents=False,
                      recorder=StateOnly)
    start = model.households.livelihood.copy()
    consumption, assets = [], []
    model.run(progress=lambda t: (consumption.append(model.households.consumption.copy()),
                                  assets.append(model.households.assets.copy())))
    return np.array(consumption), np.array(assets), start, model


@pytest.mark.slow
def test_the_graduation_effect_comes_from_casual_workers_businesses():
    treated, assets, start, model = _consumption("graduation_west_bengal.yaml", seed=0)
    control, _, control_start, _ = _consumption("graduation_villages_10y.yaml", seed=0)
    assert np.array_equal(start, control_start)  # the same households on the same seed
    reached = np.unique(np.concatenate([i.reached for i in model.interventions]))
    casual = reached[start[reached] == Livelihood.CASUAL]
    idle = reached[start[reached] == Livelihood.NONE]
    assert len(casual) > 80 and len(idle) > 10

    def effect(rows, t):  # relative consumption effect at step t, the rows against themselves
        return treated[t, rows].mean() / control[t, rows].mean() - 1

    # casual workers given the asset consume more, and more at 7 years than at 2
    assert effect(casual, 24) > 0.03
    assert effect(casual, 84) > effect(casual, 24)
    # ... because their businesses run and grow toward the capacity (growth never passes it:
    # x + a x (1 - x) <= 1 for x <= 1 when a, the kept return a month, is under 1)
    assert assets[84, casual].mean() > 1.5 * assets[3, casual].mean()
    assert assets[84, casual].max() <= model.params.enterprise_capacity
    # households with no one working gain next to nothing: no business from the asset
    assert abs(effect(idle, 24)) < 0.05 and abs(effect(idle, 84)) < 0.05
