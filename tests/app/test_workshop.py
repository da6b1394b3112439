"""The workshop app without a browser: controls, the paired model, pictures, the command."""

import numpy as np
import pytest
import yaml
from conftest import REPO, tiny_scenario_dict
from typer.testing import CliRunner

from simulation.app import controls, figures
from simulation.app.command import server_command, server_environment
from simulation.app.concepts import as_markdown, concepts
from simulation.app.workshop import BASELINE, INTERVENTION, WorkshopModel, describe_intervention
from simulation.cli import app
from simulation.interventions.base import InterventionSpec, Targeting
from simulation.interventions.registry import REGISTRY
from simulation.model import PRDSModel
from simulation.params import Parameters
from simulation.scenario import load_scenario

CAR_RECIPE = REPO / "scenarios" / "build" / "car-2024.recipe.yaml"


@pytest.fixture
def tiny_path(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_scenario_dict()))
    return path


def workshop(tiny_path, **levers) -> WorkshopModel:
    params = controls.initial_values(controls.model_params(tiny_path))
    return WorkshopModel(**{**params, **levers})


def test_controls_come_from_the_declarations(tiny_path):
    params = controls.model_params(tiny_path)
    assert params["intervention"]["values"] == [*REGISTRY, controls.NO_INTERVENTION]
    share = Targeting.model_fields["share"]
    assert (params["coverage"]["min"], params["coverage"]["max"]) == (0.0, 1.0)
    assert params["coverage"]["value"] == share.default
    assert params["start"]["min"] == 1 == InterventionSpec.model_fields["start"].default
    assert params["rule"]["values"] == ["random", "poorest_first", "most_vulnerable"]
    assert params["target_group"]["values"] == ["displaced", "migrant", "host", "all"]
    for name in controls.WORKSHOP_PARAMETERS:
        field = Parameters.model_fields[name]
        lo, hi = controls.field_bounds(field.annotation, field.metadata)
        assert (params[name]["min"], params[name]["max"]) == (lo, hi)
        assert params[name]["value"] == field.default  # the tiny scenario keeps the defaults
    # the file given first is offered first and selected, the bundled default after it
    assert params["scenario_name"]["values"][0] == "tiny" == params["scenario_name"]["value"]
    assert "default" in params["scenario_name"]["values"]


def test_field_bounds_reads_optional_annotated_fields():
    budget = InterventionSpec.model_fields["budget"]
    assert controls.field_bounds(budget.annotation, budget.metadata) == (0.0, None)
    coping = Targeting.model_fields["min_coping"]
    assert controls.field_bounds(coping.annotation, coping.metadata) == (1, 4)


def test_baseline_is_the_scenario_alone_and_the_intervention_changes_only_its_run(tiny_path):
    model = workshop(tiny_path, coverage=1.0, seed=3)
    assert model.arms == [BASELINE, INTERVENTION]
    for _ in range(4):
        model.step()
    alone = PRDSModel(load_scenario(tiny_path), seed=3, with_agents=False)
    for _ in range(4):
        alone.step()
    baseline = model.runs[BASELINE].households
    np.testing.assert_array_equal(baseline.node, alone.households.node)
    np.testing.assert_array_equal(baseline.lcs, alone.households.lcs)
    np.testing.assert_array_equal(baseline.savings, alone.households.savings)
    treated = model.runs[INTERVENTION]
    assert treated.cost_total > 0 and model.runs[BASELINE].cost_total == 0
    assert not np.array_equal(treated.households.aid_received_total,
                              baseline.aid_received_total)
    rows = {row["key"]: row for row in model.outcomes()}
    assert rows["cost_total"]["difference"] == pytest.approx(treated.cost_total)
    assert [row["step"] for row in model.history[INTERVENTION]] == [0, 1, 2, 3, 4]


def test_levers_reach_the_intervention(tiny_path):
    model = workshop(tiny_path, intervention="cash", target_group="displaced", coverage=0.5,
                     rule="poorest_first", start=2, duration=3, budget=7)
    spec = model.intervention_spec
    assert (spec.type, spec.start, spec.end, spec.budget) == ("cash", 2, 4, 7000.0)
    assert spec.targeting.groups == ["displaced"] and spec.targeting.share == 0.5
    assert spec.targeting.rule == "poorest_first"
    assert "steps 2 to 4" in model.describe_levers() and "7,000 USD" in model.describe_levers()
    assert workshop(tiny_path, budget=0).intervention_spec.budget is None  # 0 = no cap


def test_without_comparison_or_intervention_one_run(tiny_path):
    assert workshop(tiny_path, compare=False).arms == [INTERVENTION]
    only = workshop(tiny_path, intervention=controls.NO_INTERVENTION)
    assert only.arms == [BASELINE] and only.intervention_spec is None


def test_behavioural_sliders_override_the_scenario(tiny_path):
    model = workshop(tiny_path, camp_ration_share=0.1)
    assert all(spec.parameters.camp_ration_share == 0.1 for spec in model.specs.values())


def test_bad_choices_are_clear_errors(tiny_path):
    with pytest.raises(ValueError, match="allowed.*cash"):
        workshop(tiny_path, intervention="teleport")
    with pytest.raises(ValueError, match="unknown parameter.*flight_rat"):
        workshop(tiny_path, flight_rat=0.3)
    with pytest.raises(ValueError, match="scenario 'nowhere': allowed"):
        workshop(tiny_path, scenario_name="nowhere")


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_every_registered_intervention_runs_in_the_app(tiny_path, kind):
    model = workshop(tiny_path, intervention=kind, target_group="all")
    assert model.problem is None, model.problem
    for _ in range(2):
        model.step()
    assert model.intervention_spec.type == kind
    assert describe_intervention(model.intervention_spec)


def test_pictures_change_with_the_step_and_the_colour_toggle(tiny_path):
    model = workshop(tiny_path)
    pictures = [figures.GraphPicture(model), figures.StatusPicture(model),
                figures.CopingPicture(model), figures.SelfReliancePicture(model)]
    before = [p.render() for p in pictures]
    assert all(png.startswith(b"\x89PNG") for png in before)
    model.step()
    model.step()
    after = [p.render() for p in pictures]
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert pictures[0].render("self-reliance") != after[0]
    # drawn over a kept background, a frame equals a full redraw of the same state
    pictures[1].invalidate()
    assert pictures[1].render() == after[1]


def test_concepts_cover_the_four_prds_ideas_with_the_models_thresholds():
    keys = [c.key for c in concepts()]
    assert {"coping", "self_reliance", "solutions", "harmful"} <= set(keys)
    text = as_markdown(next(c for c in concepts(Parameters(self_reliance_mean=4.0))
                            if c.key == "self_reliance"))
    assert "at least 4 " in text


def test_app_command_checks_the_scenario_before_starting(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**tiny_scenario_dict(), "stepz": 3}))
    result = CliRunner().invoke(app, ["app", str(bad)])
    assert result.exit_code == 2
    assert "stepz" in result.output


def test_server_command_and_environment(tiny_path):
    command = server_command(8123)
    assert command[1:4] == ["-m", "solara", "run"] and "simulation.app.page" in command
    assert command[command.index("--port") + 1] == "8123" and "--production" in command
    env = server_environment(tiny_path)
    assert env["PRDS_APP_SCENARIO"] == str(tiny_path.resolve())
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


@pytest.mark.parametrize("levers", [{"compare": False}, {"intervention": "none"}])
def test_pictures_of_a_single_run(tiny_path, levers):
    model = workshop(tiny_path, **levers)
    model.step()
    pictures = [figures.GraphPicture(model), figures.StatusPicture(model),
                figures.CopingPicture(model), figures.SelfReliancePicture(model)]
    assert all(p.render().startswith(b"\x89PNG") for p in pictures)
    assert len(model.outcomes()[0]) == 3  # outcome, key and the one run: no difference column


def test_a_built_scenario_is_shown_on_its_map_and_the_default_is_not(tmp_path):
    """The CAF recipe built at a small sample: the app draws its map, one panel per run,
    and redraws it each step; the bundled default (x/y are drawing positions) gets a note."""
    from simulation.app.page import Pictures
    from simulation.build import build
    from simulation.outputs import maps

    recipe = yaml.safe_load(CAR_RECIPE.read_text(encoding="utf-8"))
    for key in ("boundaries", "population", "displacement", "sites"):  # paths made absolute
        recipe[key] = str((CAR_RECIPE.parent / recipe[key]).resolve())
    for key in ("conflict", "prices"):
        recipe[key]["file"] = str((CAR_RECIPE.parent / recipe[key]["file"]).resolve())
    recipe.update(sample=0.001, steps=3)  # a small sample: the map, not the model, is tested
    (tmp_path / "car.recipe.yaml").write_text(yaml.safe_dump(recipe), encoding="utf-8")
    built = tmp_path / "car.yaml"
    build(tmp_path / "car.recipe.yaml", built)
    model = WorkshopModel(**{**controls.initial_values(controls.model_params(built)),
                             "scenario_name": "car-2024"})
    pictures = Pictures(model)
    assert pictures.map_note is None and pictures.map.units
    assert [arm for arm, _, _ in pictures.map.panels] == [BASELINE, INTERVENTION]
    first = pictures.render("harmful coping")["map"]
    assert first.startswith(b"\x89PNG")
    drawn = pictures.map.panels[0][1]
    assert len(drawn.unit_patches.get_paths()) == len(drawn.units.keys) > 60  # CAF's level 2
    assert {node.unit for node in model.specs[BASELINE].graph.nodes} <= set(drawn.units.keys)
    assert np.isnan(drawn.unit_values).all()  # before the first step: nothing to shade
    model.step()
    stepped = pictures.render("harmful coping")["map"]
    assert stepped != first and np.isfinite(drawn.unit_values).any()
    run = model.runs[BASELINE]
    counts = maps.node_counts(run.households, run.graph.n_nodes)
    shares = maps.node_shares(counts, "harmful_coping_share")
    unit = next(i for i, nodes in enumerate(drawn.unit_nodes) if len(nodes) == 1
                and counts["households"][nodes[0]] > 0)
    assert drawn.unit_values[unit] == pytest.approx(shares[drawn.unit_nodes[unit][0]])
    toggled = pictures.render("self-reliance")["map"]
    assert toggled != stepped
    # a kept background: a frame equals a full redraw of the same state
    pictures.map.invalidate()
    assert pictures.map.render("self-reliance") == toggled

    default = WorkshopModel(**controls.initial_values(controls.model_params()))
    assert all(node.x is not None for node in default.specs[BASELINE].graph.nodes)
    plain = Pictures(default)
    assert plain.map is None and "names no map" in plain.map_note
    assert "map" not in plain.render("harmful coping")


def test_coordinates_without_boundaries_colour_the_nodes_on_the_map(tmp_path):
    from simulation.app.page import Pictures

    data = tiny_scenario_dict(map={"attribution": "locations.csv"})
    for node, (x, y) in zip(data["graph"]["nodes"], [(21.3, 4.4), (22.8, 4.7), (22.9, 4.8)],
                            strict=True):
        node.update(x=x, y=y)
    path = tmp_path / "placed.yaml"
    path.write_text(yaml.safe_dump(data))
    model = WorkshopModel(**controls.initial_values(controls.model_params(path)))
    pictures = Pictures(model)
    assert pictures.map is not None and not pictures.map.units
    before = pictures.render("harmful coping")["map"]
    model.step()
    assert pictures.render("harmful coping")["map"] != before
    scatter, nodes = pictures.map.panels[0][1].node_markers["town"]
    assert not np.allclose(scatter.get_facecolor()[0], (1, 1, 1, 1))  # coloured, not white
