"""Plain-language explanations of the PRDS concepts the app shows, one place for app and notebooks.

Each concept says what it means, how the model measures it (so a trainer can answer "where does
this number come from?") and where to look on the screen. The wording follows IOM's PRDS
Framework (2016; ``shared/seeds``) and the measures of DESIGN.md section 5; the thresholds
quoted are read from ``simulation.params.Parameters`` so the text cannot drift from the model.
"""

from dataclasses import dataclass

from simulation.params import Parameters


@dataclass(frozen=True)
class Concept:
    key: str
    title: str
    meaning: str  # what the idea is, in plain words
    measure: str  # how the model counts it
    look: str  # where it shows in the app
    source: str


def concepts(params: Parameters | None = None) -> list[Concept]:
    """The PRDS concepts in teaching order, with the model's thresholds filled in."""
    p = params or Parameters()
    return [
        Concept(
            "prds", "Progressive resolution",
            "Displacement rarely ends in one step. IOM's PRDS Framework looks at displaced "
            "people, other migrants and host communities together, and asks what moves them, "
            "step by step, toward solutions: stronger coping, self-reliance, an environment "
            "where rights are upheld, and mobility used as a strategy rather than a last resort.",
            "Every household is displaced, a migrant or a host, and has one mobility status at "
            "each step; interventions act on named household or settlement variables.",
            "The map: where households are now. The intervention panel shows the same region "
            "with the same luck (seed), so any difference is the intervention.",
            "IOM, Progressive Resolution of Displacement Situations Framework (2016)",
        ),
        Concept(
            "coping", "The coping ladder",
            "When income and aid do not cover basic needs, households cope, and the steps get "
            "more damaging: first stress (spend savings, borrow, sell household goods), then "
            "crisis (sell tools or livestock, cut health and school spending, take children "
            "out of school), then emergency (sell the house or land, beg, risky work, child "
            "labour or marriage). A strategy that is used up cannot be used again, so "
            "households climb the ladder; only children taken out of school go back, once the "
            "household earns enough again.",
            "Each month the highest level used: 1 none, 2 stress, 3 crisis, 4 emergency "
            "(WFP Livelihood Coping Strategies).",
            "The coping chart: the red and orange bands are crisis and emergency.",
            "WFP, Livelihood Coping Strategies (LCS) and CARI technical guidance",
        ),
        Concept(
            "self_reliance", "Self-reliance",
            "Being able to meet one's own needs (housing, food, health, school, work, savings, "
            "a network) in a safe and dignified way, without depending on aid. PRDS aims at "
            "households being economically productive members of society, including through "
            "mobility.",
            f"Twelve domains of the Refugee Self-Reliance Index, each scored 1 to 5; a household "
            f"is self-reliant when its mean is at least {p.self_reliance_mean:g} and no domain "
            f"is at 1. Aid-dependent: aid above {p.aid_dependency_share:.0%} of income for "
            f"{p.aid_dependency_months:g} months in a row.",
            "The self-reliance chart, and the map coloured by self-reliance.",
            "Refugee Self-Reliance Index (RSI 2.0); IOM PRDS outcome 2",
        ),
        Concept(
            "solutions", "Durable solutions",
            "A displaced household has a durable solution when it no longer has needs linked to "
            "its displacement and enjoys its rights like its neighbours who were never "
            "displaced. It can come by return, by integrating where it is, or by settling "
            "elsewhere; none is better in itself.",
            f"The IASC criteria at the household's place, at parity with hosts there (at least "
            f"{p.parity_ratio:.0%} of their standard of living): safety, standard of living, "
            f"livelihood, housing, land and property, documents; held for "
            f"{p.solution_months:g} months in a row. Displaced again later counts as recurrence.",
            "The status chart: returned, locally integrated, settled elsewhere; the outcome "
            "table: durable solutions among those ever displaced.",
            "IASC Framework on Durable Solutions for IDPs (2010)",
        ),
        Concept(
            "harmful", "Harmful strategies",
            "Some ways of coping or moving solve today's problem at tomorrow's cost: crisis and "
            "emergency coping, irregular journeys through smugglers, being displaced again, or "
            "being stuck: wanting to leave but unable to. PRDS asks for safety nets so that "
            "people do not have to use them.",
            "Crisis or emergency coping (LCS 3-4), irregular migration, re-displacement, and "
            f"involuntary immobility (aspiration to move at least "
            f"{p.involuntary_immobility_aspiration:g} without the means).",
            "The map coloured by harmful coping (red = many households in crisis or "
            "emergency), the irregular-migration line, and the outcome table.",
            "IOM PRDS outcome 1 (coping capacities, safety nets); Carling (2002) on "
            "involuntary immobility",
        ),
    ]


def as_markdown(concept: Concept) -> str:
    """One concept as a short Markdown block (the app's cards, the trainers' notebook)."""
    return (f"**{concept.title}.** {concept.meaning}\n\n"
            f"*In the model:* {concept.measure}\n\n"
            f"*Look at:* {concept.look}\n\n"
            f"<small>Source: {concept.source}</small>")
