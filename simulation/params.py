"""Behavioural parameters, declared once with their range and source.

Every default number the rules use lives here. The scenario schema, the sweep files and the
workshop app's controls are all generated from this one declaration, so a parameter cannot
drift between them. ``source`` says where a number comes from; "assumption" means it is a
modelling choice to be varied in sensitivity analysis, not a published estimate.
Rates are per 30 days; the engine converts them to the step length (DESIGN.md section 3).
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _p(default: float, lo: float, hi: float, what: str, source: str) -> Any:
    """A parameter field with its range, meaning and source."""
    return Field(default, ge=lo, le=hi, description=what, json_schema_extra={"source": source})


class Parameters(BaseModel):
    """All behavioural parameters of the model, with defaults (see module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- 1. Shocks and flight --------------------------------------------------------------
    flight_rate: float = _p(
        0.6, 0, 1, "monthly probability of fleeing at threat 1",
        "assumption; Flee's conflict_movechance 1.0/day makes everyone leave within days, "
        "surveys of protracted conflict show many stay (involuntary immobility)",
    )
    flight_threshold: float = _p(
        0.45, 0, 1, "threat at which the flight probability is about half its maximum (the "
        "logistic's midpoint)",
        "assumption (logistic midpoint)",
    )
    flight_steepness: float = _p(12.0, 0.1, 100, "steepness of the logistic flight curve", "assumption")
    damage_rate: float = _p(
        0.03, 0, 1, "share of the housing and infrastructure still standing that threat 1 "
        "damages or destroys in a month (shocks.update_damage)",
        "assumption (the form); fitted to World Bank 2017, The Toll of War: 27-32% of Syria's "
        "housing stock damaged or destroyed by early 2017 (worldbank_syria_housing_damage)",
    )
    recovery_rate: float = _p(
        0.01, 0, 1, "monthly natural recovery of damage where threat is below 0.2",
        "assumption; fitted to IOM DTM Iraq 2016 through the share of returnees whose home is "
        "damaged (dtm_iraq_home_damage)",
    )

    # --- 2. Livelihoods --------------------------------------------------------------------
    skill_income_floor: float = _p(
        0.6, 0, 2, "income multiplier of a household with skill 0 (skill 1 adds skill_income_gain)",
        "assumption; returns to skills in informal labour markets",
    )
    skill_income_gain: float = _p(0.8, 0, 3, "income gain from skill 0 to skill 1", "assumption")
    casual_wage_share: float = _p(
        0.7, 0, 1, "casual day labour pays this share of the node wage",
        "assumption; informal vs formal wage gap",
    )
    undocumented_job_access: float = _p(
        0.5, 0, 1, "access to wage work of a household without documents, relative to one with",
        "assumption; right-to-work restrictions (DESIGN.md section 3.2)",
    )
    asset_return: float = _p(
        0.05, 0, 0.5, "monthly return on productive assets in business or farming, at market 1",
        "assumption; microenterprise returns of 4-6%/month, de Mel et al. 2008",
    )
    enterprise_capacity: float = _p(
        1500.0, 100, 20000, "productive assets (USD) at which a household business or farm "
        "occupies one whole earner and stops growing: below it, it takes assets / capacity of "
        "an earner from the job market (livelihoods.seek_work) and keeps reinvest_share x "
        "(1 - assets / capacity) of its profit (livelihoods.earn)",
        "assumption; the form: a small enterprise uses the family's idle labour (Bandiera et "
        "al. 2017, QJE 132(2): ultra-poor women given livestock raised their livestock hours "
        "by 361% while their total hours rose 22%, and cut agricultural and maid work by 17% "
        "and 36%), and growth stops where the family's labour is fully used (logistic growth "
        "toward a ceiling; returns to microenterprise capital fall as it grows: McKenzie and "
        "Woodruff 2006, Economic Development and Cultural Change 55(1))",
    )
    tension_rate: float = _p(
        0.05, 0, 1, "monthly fall in social cohesion per unit of job-seeker excess over jobs",
        "assumption; competition with hosts feeds tension (DESIGN.md section 3.2)",
    )
    cohesion_recovery: float = _p(
        0.01, 0, 1, "monthly recovery of social cohesion toward its initial level",
        "assumption",
    )
    remittance_share: float = _p(
        0.3, 0, 1, "share of the wage abroad (the destination node's wage) that a household "
        "member away on a labour mobility contract sends home each month, as income",
        "assumption, to vary within 0.1-0.5: a rough central value for what temporary labour "
        "migrants remit out of gross earnings abroad (World Bank 2017, Maximizing the "
        "Development Impacts from Temporary Migration, on Australia's Seasonal Worker "
        "Programme; Gibson & McKenzie on New Zealand's RSE scheme; KNOMAD remittance "
        "surveys), not a published estimate; it stands for remittances and savings brought "
        "home together (the model pays no lump sum at the worker's return)",
    )
    camp_ration_share: float = _p(
        0.45, 0, 1.5, "in-kind rations in camps, as a share of the per-person MEB",
        "assumption; WFP ration cuts to 40-60% of the full basket in protracted camps",
    )

    # --- 3. Needs and coping (WFP LCS ladder) ----------------------------------------------
    savings_rate: float = _p(0.3, 0, 1, "share of a monthly surplus saved", "assumption")
    reinvest_share: float = _p(
        0.5, 0, 1, "share of its business or farm profit that a household keeps in its "
        "productive assets (livelihoods.earn)",
        "assumption; owners growing their asset base out of a poverty trap: Banerjee, Duflo, "
        "Chattopadhyay and Shapiro 2016 (effects of an asset transfer growing to year 7), "
        "Balboni et al. 2022",
    )
    debt_interest: float = _p(
        0.02, 0, 0.5, "monthly cost of debt, as a share of the debt up to the borrowing limit "
        "(arrears beyond it are not charged: coping.debt_service)", "assumption; informal credit",
    )
    repayment_share: float = _p(
        0.5, 0, 1, "share of a monthly surplus used to repay debt first", "assumption",
    )
    borrow_limit_months: float = _p(
        2.0, 0, 24, "most a displaced household or migrant can owe, in months of its MEB "
        "(credit is available again once debt is repaid below it: coping.restore)",
        "assumption; of the order of Syrian refugees' debt in Lebanon (VASyR 2016-2018: "
        "USD 800 to over 1,000 a household, one to two months of a household's MEB)",
    )
    host_borrow_limit_months: float = _p(
        4.0, 0, 24, "most a host household can owe, in months of its MEB",
        "assumption: hosts borrow against their homes and long-standing networks, which "
        "displaced households have lost; the direction, not the number, is the evidence",
    )
    credit_access: float = _p(
        1.0, 0, 1, "share of displaced households and migrants with someone to borrow from "
        "(a relative, a shop or a landlord who extends credit): the others cannot take the "
        "borrow strategy nor borrow for a journey (coping.has_lender); hosts always can",
        "assumption: informal credit runs through personal ties that some displaced "
        "households lack; the share is calibrated to VASyR 2016-2018's 87-91% of Syrian "
        "refugee households in debt (vasyr_in_debt)",
    )
    survival_share: float = _p(
        0.8, 0.3, 1.0, "the survival minimum (SMEB) as a share of the MEB basket: emergency "
        "strategies cover only a gap below it (coping.survival_gap)",
        "assumption: the SMEB is below the MEB (WFP CARI economic capacity compares "
        "expenditure with both; this model's CARI puts the SMEB at 0.8 of the MEB); WFP's "
        "LCS ranks emergency strategies as the most severe, used when survival is at stake",
    )
    cut_spending_cover: float = _p(
        0.15, 0, 1, "share of monthly needs covered by cutting health and education spending",
        "assumption",
    )
    emergency_cover: float = _p(
        0.25, 0, 1, "share of monthly needs that begging, risky work and child labour cover "
        "together (a third each; only below the survival line)",
        "assumption: such work earns little",
    )
    school_reenrol_margin: float = _p(
        0.1, 0, 1, "a household whose children are out of school re-enrols them in a step "
        "when income + aid >= its full needs (school costs included) x (1 + this margin)",
        "assumption (hysteresis, so enrolment does not flip with small income changes); "
        "withdrawal is a crisis strategy in WFP's LCS module, reported for the last 30 days, "
        "not for good; enrolment recovers with income: cash transfers, conditional or not, "
        "raise enrolment (Baird et al. 2014, J. Development Effectiveness, meta-analysis)",
    )

    # --- 4. Indicators ---------------------------------------------------------------------
    self_reliance_mean: float = _p(
        3.5, 1, 5, "mean RSI domain score at or above which a household is self-reliant",
        "Refugee Self-Reliance Index (RSI 2.0); DESIGN.md section 5 proposes 4, we use 3.5 "
        "because our 12 domains are scored from model state, not an interview (see README)",
    )
    aid_dependency_share: float = _p(
        0.5, 0, 1, "aid above this share of total income counts toward aid dependency",
        "DESIGN.md section 5",
    )
    aid_dependency_months: float = _p(
        12, 1, 120, "months in a row above the share that make a household aid-dependent",
        "DESIGN.md section 5",
    )

    # --- 5. Mobility (aspiration x capability; Flee-style destinations) --------------------
    mobility_rate: float = _p(
        0.15, 0, 1, "monthly probability that a household with aspiration 1 acts on it",
        "assumption; Carling 2002, de Haas 2021 aspiration-capability",
    )
    aspiration_base: float = _p(-3.0, -10, 10, "aspiration log-odds at no pressure", "assumption")
    aspiration_threat: float = _p(4.0, 0, 20, "log-odds per unit threat", "assumption")
    aspiration_needs: float = _p(2.5, 0, 20, "log-odds per unit coping level above none (0..1)", "assumption")
    aspiration_prospects: float = _p(
        1.5, 0, 20, "log-odds per unit of poor local prospects (1 - employment score)",
        "assumption",
    )
    aspiration_ties: float = _p(1.0, 0, 20, "log-odds removed per unit of local ties", "assumption")
    aspiration_services: float = _p(1.0, 0, 20, "log-odds removed per unit of local services", "assumption")
    involuntary_immobility_aspiration: float = _p(
        0.5, 0, 1, "aspiration at or above which a household that cannot move is counted as "
        "involuntarily immobile", "Carling 2002 (aspiration without ability)",
    )
    softening_km: float = _p(
        50.0, 0, 1000, "distance softening in destination weights",
        "Flee, FabFlee validation simsetting.yml (softening 50)",
    )
    distance_power: float = _p(
        0.75, 0, 5, "distance power in destination weights",
        "Flee, FabFlee validation simsetting.yml (distance_power 0.75)",
    )
    camp_weight: float = _p(1.0, 0, 10, "attractiveness weight of camps", "Flee (camp_weight 1.0)")
    town_weight: float = _p(1.0, 0, 10, "attractiveness weight of towns and host areas", "assumption")
    foreign_weight: float = _p(1.0, 0, 10, "attractiveness weight of abroad nodes", "Flee (foreign_weight 1.0)")
    conflict_weight: float = _p(
        0.25, 0, 10, "attractiveness of a node under threat is scaled by this at threat 1",
        "Flee (conflict_weight 0.25)",
    )
    return_weight: float = _p(
        1.5, 0, 10, "attractiveness of the own origin, times safety, housing and services",
        "assumption; most displaced hope to return (DESIGN.md section 9: 75% hope, 6% plan)",
    )
    unusable_home_return_weight: float = _p(
        0.25, 0, 1, "pull home of a displaced household whose own home it cannot move back "
        "into (too damaged, or its property not secure: the latent draw of "
        "indicators.home_condition), relative to one whose home is usable (1): it may still "
        "return, to rent, to stay with relatives or to rebuild",
        "assumption (a household knows its own home from neighbours, relatives and visits; "
        "shelter is among the main conditions for return, UNHCR RPIS 5, 2019); one factor for "
        "damaged and insecure homes alike",
    )
    origin_ties_decay: float = _p(
        0.01, 0, 0.2, "monthly fall in ties to the origin while a household lives elsewhere "
        "(ties pull returns; the hope to return follows them: indicators.return_intentions)",
        "assumption; most refugees still hope to return after years away (UNHCR RPIS 5, "
        "2019: 75% of Syrian refugees, eight years on), so ties fade slowly",
    )
    return_threat_max: float = _p(
        0.35, 0, 1, "above this threat at origin nobody returns voluntarily", "assumption",
    )
    travel_speed_km_day: float = _p(
        200.0, 1, 2000, "distance travelled per day by a household on the move",
        "assumption; Flee max_move_speed 400 km/day (vehicles), max_walk_speed 35",
    )
    travel_cost_per_km: float = _p(
        0.05, 0, 10, "travel cost per person-km where an edge gives none (USD)", "assumption",
    )
    irregular_cost: float = _p(
        300.0, 0, 100000, "smuggling cost per household of an irregular crossing (USD)",
        "assumption; low end of UNODC smuggling fee ranges for land crossings",
    )
    capacity_scaling: float = _p(
        1.0, 0.1, 10, "multiplier on node capacities", "Flee (capacity_scaling)",
    )
    hop_by_hop_flight: float = _p(
        0.0, 0, 1, "share of fleeing households that travel hop by hop, choosing the next "
        "settlement at each stop (phases/journeys.py), instead of a final destination at departure",
        "Flee's route choice (flee/moving.py selectRoute, awareness_level 1); 0 keeps the direct "
        "choice of DESIGN.md section 3.5",
    )
    stopover_move_chance: float = _p(
        0.5, 0, 1, "DAILY (not 30-day) probability that a household travelling hop by hop moves "
        "on from a safe town, host area or origin where it stopped",
        "Flee default_movechance; FabFlee validation simsetting.yml sets 0.5",
    )

    # --- 6. Solutions (IASC criteria at parity with hosts) ---------------------------------
    solution_months: float = _p(
        6, 1, 60, "months the IASC criteria must hold in a row for a durable solution",
        "DESIGN.md section 3.6",
    )
    parity_ratio: float = _p(
        0.9, 0, 2, "a displaced household is at parity when its standard of living is at least "
        "this share of the host average at its node", "assumption; IASC Framework (2010) parity",
    )
    solution_threat_max: float = _p(0.2, 0, 1, "highest threat compatible with safety", "assumption")

    # --- 7. Return intentions (indicators.return_intentions) ---------------------------------
    return_services_min: float = _p(
        0.4, 0, 1, "a displaced household intends to return within 12 months only if services "
        "at its origin are at least this (with safety, its home usable, and work there)",
        "assumption; UNHCR RPIS 5 (2019): security, services and shelter, and livelihoods "
        "are the conditions Syrian refugees cite for return; fitted to its 5.9% intending "
        "to return within 12 months (rpis_intend_to_return)",
    )
    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per parameter: name, default, range, meaning, source (for docs and the app)."""
        rows = []
        for name, field in cls.model_fields.items():
            bounds = {type(m).__name__: getattr(m, type(m).__name__.lower(), None) for m in field.metadata}
            rows.append({
                "name": name,
                "default": field.default,
                "min": bounds.get("Ge"),
                "max": bounds.get("Le"),
                "description": field.description,
                "source": (field.json_schema_extra or {}).get("source", ""),
            })
        return rows


def source_kind(source: str) -> str:
    """The kind of a parameter's source: "calibrated", "assumption" or "published / design".

    Used by the ODD's parameter table and the sensitivity table, so both sort parameters alike.
    """
    text = source.strip().lower()
    if text.startswith("calibrated"):
        return "calibrated"
    if text.startswith("assumption"):
        return "assumption"
    return "published / design"


def per_step(rate_per_month: float | Any, days_per_step: float) -> Any:
    """Convert a 30-day probability to one step: p = 1 - (1 - p_month)^(days/30) (DESIGN.md s3)."""
    import numpy as np

    return 1.0 - np.power(1.0 - np.clip(rate_per_month, 0.0, 1.0), days_per_step / 30.0)


#: the fitted defaults in force (``simulation/calibrated.yaml``; empty until a calibration is
#: applied with ``prds calibrate scenarios/evidence/calibration.yaml --apply``)
from simulation.calibrated import use_calibrated  # noqa: E402 - needs the class above

CALIBRATED = use_calibrated(Parameters)
