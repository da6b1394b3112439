"""Interventions phase: each scenario intervention acts on its named variables (section 4)."""


def step(model, t: int) -> None:
    for intervention in model.interventions:
        intervention.step(model, t)
