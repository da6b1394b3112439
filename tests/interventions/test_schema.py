"""A bad intervention block is an error naming the file, the line and the key path."""

import textwrap

import pytest

from simulation.scenario import ScenarioError, load_scenario

SCENARIO = """\
name: s
steps: 4
graph:
  nodes:
    - {name: Home, type: origin}
    - {name: Town, type: town}
    - {name: Far, type: abroad, country: far}
  edges:
    - {source: Home, target: Town, distance: 50}
    - {source: Town, target: Far, distance: 900, border: true}
populations:
  - {group: displaced, node: Town, origin: Home, households: 10}
interventions:
"""


def load(tmp_path, block: str):
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO + textwrap.indent(textwrap.dedent(block), "  "), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return path, str(caught.value)


def test_good_blocks_of_every_kind_load(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(SCENARIO + textwrap.indent(textwrap.dedent("""\
        - {type: cash, transfer: 40, start: 2, end: 3}
        - {type: graduation, targeting: {rule: poorest_first, count: 5}}
        - {type: livelihoods, business_grant: 300}
        - {type: cash_for_work, targeting: {nodes: [Home]}}
        - {type: services_restoration, targeting: {nodes: [Home]}}
        - {type: social_cohesion, targeting: {nodes: [Town]}}
        - {type: governance_hlp, documentation_rate: 0.5}
        - {type: stabilization, jobs: 10}
        - {type: labour_mobility, edge_nodes: [Far]}
        - {type: avrr, per_month: 3}
        - {type: facilitated_return, node: Town}
        - {type: safety_net, targeting: {min_coping: 3}}
        - {type: labour_mobility, recruit: false, slots_per_month: 5}
        """), "  "), encoding="utf-8")
    interventions = load_scenario(path).interventions
    assert len(interventions) == 13
    assert interventions[8].recruit is True and interventions[12].recruit is False


def test_unknown_key_names_line_path_and_nearest_key(tmp_path):
    path, message = load(tmp_path, """\
        - type: graduation
          asset_transfers: 300
        """)
    assert f"{path}:15: interventions[0].asset_transfers: unknown key" in message
    assert "did you mean 'asset_transfer'" in message


def test_wrong_value_names_line_and_path(tmp_path):
    path, message = load(tmp_path, """\
        - type: cash
          transfer: -5
        """)
    assert f"{path}:15: interventions[0].transfer" in message
    assert "greater than or equal to 0" in message


def test_unknown_type_suggests_the_nearest(tmp_path):
    path, message = load(tmp_path, "- {type: graduaton}\n")
    assert f"{path}:14: interventions[0]" in message
    assert "unknown intervention type" in message and "did you mean 'graduation'" in message


def test_bad_targeting_rule_and_window(tmp_path):
    path, message = load(tmp_path, """\
        - type: safety_net
          targeting: {rule: richest_first}
        """)
    assert f"{path}:15: interventions[0].targeting.rule" in message
    assert "poorest_first" in message
    path, message = load(tmp_path, "- {type: cash, start: 5, end: 2}\n")
    assert "interventions[0]" in message and "must not be before start" in message


def test_pathway_must_lead_abroad(tmp_path):
    path, message = load(tmp_path, """\
        - type: labour_mobility
          edge_nodes: [Town]
        """)
    assert f"{path}:15: interventions[0].edge_nodes" in message
    assert "'Town' is a town node" in message


def test_recruit_is_a_yes_or_no(tmp_path):
    path, message = load(tmp_path, """\
        - type: labour_mobility
          recruit: sometimes
        """)
    assert f"{path}:15: interventions[0].recruit" in message and "boolean" in message


def test_labour_mobility_mode_and_contract_are_checked(tmp_path):
    from simulation.interventions.labour_mobility import LabourMobilitySpec

    spec = LabourMobilitySpec()
    assert spec.mode == "worker" and spec.contract_months == 12.0
    path, message = load(tmp_path, """\
        - type: labour_mobility
          mode: family
        """)
    assert f"{path}:15: interventions[0].mode" in message and "household" in message
    path, message = load(tmp_path, """\
        - type: labour_mobility
          contract_months: 0
        """)
    assert f"{path}:15: interventions[0].contract_months" in message


def test_unknown_nodes_in_intervention_blocks(tmp_path):
    path, message = load(tmp_path, """\
        - type: facilitated_return
          node: Twn
        """)
    assert f"{path}:15: interventions[0].node" in message and "unknown node 'Twn'" in message
    assert "did you mean 'Town'" in message
    path, message = load(tmp_path, """\
        - type: cash_for_work
          targeting: {nodes: [Hom]}
        """)
    assert f"{path}:15: interventions[0].targeting.nodes" in message
    assert "did you mean 'Home'" in message
