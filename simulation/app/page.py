"""The workshop app: Mesa's SolaraViz around a :class:`WorkshopModel`, with PRDS explained.

Run it with ``prds app [SCENARIO] [--port N]`` (or ``solara run simulation.app.page``).
SolaraViz gives the sidebar: step, play/pause, reset, and the controls generated from the
declarations (``controls.model_params``); lever changes apply on Reset, as in every Mesa app.
The main area is this module's ``Dashboard``: the settlement graph, the scenario on a map of
the real place when it names one (``figures.MapPicture``), the live charts, the
outcome table and, beside each chart, the plain-language explanation of the PRDS concept it
shows (``concepts.py``), so a trainer can point at it.

Everything the browser loads is served by the Solara server itself (solara-assets), and the
pictures are PNGs drawn on the server: the app works without internet access.
"""

import os
import threading

import markdown
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from simulation.app import controls, figures
from simulation.app.concepts import as_markdown, concepts
from simulation.app.workshop import WorkshopModel, describe_intervention
from simulation.outputs.maps import MapError

#: environment variable naming the scenario file ``prds app`` was given
SCENARIO_ENV = "PRDS_APP_SCENARIO"
#: milliseconds between steps when playing (SolaraViz's default play interval is 100)
PLAY_INTERVAL = 300
#: table and text spacing for the HTML this app renders itself
CSS = """
.prds-outcomes table { border-collapse: collapse; margin-bottom: 8px; }
.prds-outcomes th, .prds-outcomes td { padding: 2px 10px; border-bottom: 1px solid #e0e0e0; }
.prds-outcomes td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
.prds-concept p, .prds-levers p { margin-bottom: 6px; }
.prds-concept strong, .prds-levers strong { font-weight: 700; }
"""


class Pictures:
    """The pictures of one model, drawn under a lock (play renders from a thread).

    The map is drawn only when the scenario names one (a built scenario, a Flee import);
    otherwise ``map`` is None and ``map_note`` says why, in a line the page shows instead.
    """

    def __init__(self, model: WorkshopModel):
        self.lock = threading.Lock()
        self.graph = figures.GraphPicture(model)
        self.map, self.map_note = None, figures.map_problem(model)
        if self.map_note is None:
            try:
                self.map = figures.MapPicture(model)
            except MapError as error:  # boundaries that cannot be read: say so, run on
                self.map_note = f"no map: {error}"
        self.statuses = figures.StatusPicture(model)
        self.coping = figures.CopingPicture(model)
        self.self_reliance = figures.SelfReliancePicture(model)

    def render(self, colour_by: str) -> dict[str, bytes]:
        with self.lock:
            images = {"graph": self.graph.render(colour_by), "statuses": self.statuses.render(),
                      "coping": self.coping.render(),
                      "self_reliance": self.self_reliance.render()}
            if self.map is not None:
                images["map"] = self.map.render(colour_by)
            return images


def Html(text: str, classes: list[str] | None = None):
    """Markdown rendered to HTML on the server.

    Not ``solara.Markdown``: it loads KaTeX and Mermaid in the browser for maths and diagrams
    this app does not use, and KaTeX is not among the assets served offline.
    """
    return solara.HTML(tag="div", unsafe_innerHTML=markdown.markdown(text, extensions=["tables"]),
                       classes=classes or [])


def percent_or_money(key: str, value: float, signed: bool = False) -> str:
    """Format one outcome: USD for costs, a percentage for shares."""
    sign = "+" if signed else ""
    if key == "cost_total":
        return f"{value:{sign},.0f}"
    return f"{100 * value:{sign}.1f}%"


def outcome_table(model: WorkshopModel) -> str:
    """The outcome table now, as Markdown: one column per run, and the difference."""
    arms = model.arms
    heads = [figures.arm_title(model, arm) for arm in arms]
    two = len(arms) == 2
    lines = ["| outcome | " + " | ".join(heads) + (" | difference |" if two else " |"),
             "|---|" + "---:|" * (len(arms) + two)]
    for row in model.outcomes():
        cells = [percent_or_money(row["key"], row[arm]) for arm in arms]
        if two:
            cells.append(percent_or_money(row["key"], row["difference"], signed=True))
        lines.append(f"| {row['outcome']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


@solara.component
def ConceptNote(key: str):
    """The plain-language note on one PRDS concept."""
    concept = next(c for c in concepts() if c.key == key)
    with solara.Div(classes=["prds-concept", f"prds-concept-{key}"],
                    style={"font-size": "0.9em", "background": "#f5f7fa", "padding": "6px 10px",
                           "border-left": "4px solid #1976d2", "margin-top": "6px"}):
        Html(as_markdown(concept))


@solara.component
def Chart(title: str, image: bytes, name: str, concept: str):
    """A live chart with the note on the PRDS concept it shows beside it."""
    with solara.Card(title, margin=0):
        with solara.Columns([5, 2]):
            solara.Image(image, format="png", width="100%",
                         classes=["prds-chart", f"prds-{name}"])
            ConceptNote(concept)


@solara.component
def Dashboard(model: WorkshopModel):
    """The main area: step counter, graph, outcomes, live charts, PRDS concepts."""
    update_counter.get()  # re-render after every step (SolaraViz bumps it)
    colour_by = solara.use_reactive("harmful coping")
    pictures = solara.use_memo(lambda: Pictures(model), [model])
    images = solara.use_memo(lambda: pictures.render(colour_by.value),
                             [model, model.steps, colour_by.value])
    run = next(iter(model.runs.values()))
    solara.Style(CSS)
    with solara.Column(style={"padding": "8px"}):
        with solara.Row(style={"align-items": "baseline"}):
            solara.Text(f"Step {run.steps} of {model.steps_total}", classes=["prds-step"],
                        style={"font-size": "1.4em", "font-weight": "bold"})
            solara.Text(f"{run.days_per_step:g} days per step; seed {model.seed}; "
                        f"scenario {model.path.stem}", style={"color": "#555"})
        if model.problem:
            solara.Error(model.problem, classes=["prds-problem"])
        with solara.Card("Where households are", margin=0):
            solara.ToggleButtonsSingle(value=colour_by, values=list(figures.COLOURINGS),
                                       dense=True, classes=["prds-colour-by"])
            solara.Image(images["graph"], format="png", width="100%",
                         classes=["prds-chart", "prds-graph"])
            shown = ("in crisis or emergency coping" if colour_by.value == "harmful coping"
                     else "self-reliant")
            solara.Text(f"Node size: households there. Colour: the share of them {shown} "
                        "(grey before the first step). Dashed edge: a border.",
                        style={"font-size": "0.85em"})
        if pictures.map is not None:
            with solara.Card("On the map", margin=0):
                solara.Image(images["map"], format="png", width="100%",
                             classes=["prds-chart", "prds-map"])
                shaded = ("Units shaded by the share of their households" if pictures.map.units
                          else "Nodes coloured by the share of their households")
                solara.Text(f"{shaded} {shown} (grey: no households, or before the first "
                            "step); the toggle above chooses the share.",
                            style={"font-size": "0.85em"})
        else:
            solara.Text(pictures.map_note.replace("no map: ", "No map of a real place: ", 1),
                        classes=["prds-no-map"], style={"font-size": "0.85em", "color": "#555"})
        with solara.Columns([1, 1]):
            with solara.Card("Outcomes now", margin=0, style={"height": "100%"}):
                Html(outcome_table(model), classes=["prds-outcomes"])
                Html(f"**This run:** {model.describe_levers()} Lever changes in the sidebar "
                     "apply when you press Reset.", classes=["prds-levers"])
                spec = model.intervention_spec
                if spec is not None:
                    Html(f"**{spec.type}**: {describe_intervention(spec)}")
                if len(model.runs) == 2:
                    Html("Same scenario and seed in both runs: a difference is the "
                         "intervention's effect.")
            with solara.Card("Progressive resolution of displacement", margin=0,
                             style={"height": "100%"}):
                ConceptNote("prds")
                ConceptNote("harmful")
        Chart("Where households stand: mobility status", images["statuses"], "statuses",
              "solutions")
        Chart("The coping ladder (WFP LCS)", images["coping"], "coping", "coping")
        Chart("Self-reliance", images["self_reliance"], "self-reliance", "self_reliance")


@solara.component
def Page():
    """The app: SolaraViz's controls in the sidebar, the dashboard in the main area."""
    params = solara.use_memo(lambda: controls.model_params(os.environ.get(SCENARIO_ENV)), [])
    first = solara.use_memo(lambda: WorkshopModel(**controls.initial_values(params)), [])
    model = solara.use_reactive(first)
    SolaraViz(model, components=[], model_params=params, play_interval=PLAY_INTERVAL,
              name="prds-sim workshop: displacement, coping and solutions (IOM PRDS)")
    Dashboard(model.value)
