"""The app's pictures: the settlement graph and the live charts, drawn with matplotlib.

Speed matters: a step must render well under a second, and drawing a matplotlib figure from
scratch costs ~25 ms of CPU per axes (ticks, tick labels, text layout) on this project's
machines, ~0.5 s for the app's eight axes. So each picture is built once per model, its
static parts (axes, ticks, legends, edges) are drawn once and kept as a background image, and
each step only the moving artists (lines, coping bands, node sizes and colours, labels) are
drawn over it and encoded to PNG: matplotlib's blitting technique, used here off screen with
the Agg canvas. Anything that changes the static parts (the y axis growing, the colour
toggle) redraws the background once. Figures are built without pyplot: the app renders from
a worker thread while the model plays.

With two runs the graph and the status and coping charts get one panel per run on shared
axes; the self-reliance chart overlays them (solid: intervention, dashed: baseline).
"""

import io
import textwrap

import matplotlib
import networkx as nx
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from simulation.app.workshop import BASELINE, INTERVENTION, STATUS_LINES, WorkshopModel
from simulation.outputs import maps
from simulation.outputs.plots import COPING_COLOURS, COPING_LABELS, STATUS_COLOURS, layout

#: colour of each status line (the run plots' colours; "displaced" is the camp colour)
LINE_COLOURS = {
    "displaced": STATUS_COLOURS["displaced_camp"], "returned": STATUS_COLOURS["returned"],
    "locally integrated": STATUS_COLOURS["locally_integrated"],
    "settled elsewhere": STATUS_COLOURS["settled_elsewhere"],
    "regular migration": STATUS_COLOURS["regular_migration"],
    "irregular migration": STATUS_COLOURS["irregular_migration"],
}
#: the graph colourings: label -> (colour map, colour-bar label)
COLOURINGS = {
    "harmful coping": ("RdYlGn_r", "share in crisis or emergency coping"),
    "self-reliance": ("RdYlGn", "share self-reliant"),
}
DPI = 80
#: the graph is shown wider than the charts: more pixels keep its labels sharp
GRAPH_DPI = 110
#: node colour before the first step, when no indicator exists yet
NO_DATA = "#d9d9d9"


def arm_title(model: WorkshopModel, arm: str) -> str:
    """Panel title: what the run is."""
    if arm == INTERVENTION:
        return f"with {model.intervention}"
    return "baseline" if len(model.arms) == 1 else f"baseline (no {model.intervention})"


class Picture:
    """A figure drawn once, then re-rendered by drawing only its moving artists (blitting)."""

    def __init__(self, model: WorkshopModel, size: tuple[float, float], dpi: int = DPI):
        self.model = model
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.background = None
        self.moving: list = []

    def animate(self, *artists) -> None:
        """Mark artists as moving: left out of the background, drawn on every frame."""
        for artist in artists:
            artist.set_animated(True)
            self.moving.append(artist)

    def invalidate(self) -> None:
        """Redraw the background at the next frame (after a change to a static part)."""
        self.background = None

    def frame(self) -> bytes:
        """PNG of the figure now: the kept background plus the moving artists."""
        if self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for artist in self.moving:
            artist.draw(renderer)
        width, height = self.canvas.get_width_height()
        image = PIL.Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(),
                                     "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


class GraphPicture(Picture):
    """The settlement graph per run: node size by households there, colour by a share."""

    def __init__(self, model: WorkshopModel):
        n = len(model.arms)
        width = 4.6 * n + 1.1
        super().__init__(model, (width, 3.8), dpi=GRAPH_DPI)
        axes = np.atleast_1d(self.fig.subplots(1, n))
        self.fig.subplots_adjust(left=0.01, right=1 - 1.1 / width, bottom=0.02, top=0.9,
                                 wspace=0.02)
        self.biggest = max(len(run.households) for run in model.runs.values())
        # the nodes labelled with their name and households: all of a small graph, else the
        # most populous at the start (a label costs ~2 ms a frame, and 70 are unreadable)
        first = model.runs[model.arms[0]]
        at = np.bincount(first.households.node, minlength=first.graph.n_nodes)
        self.labelled = sorted(np.argsort(-at, kind="stable")[:maps.LABELLED].tolist())
        labelled = [first.graph.names[i] for i in self.labelled]
        self.panels = []
        for ax, arm in zip(axes, model.arms, strict=True):
            graph = model.runs[arm].graph
            positions = layout(graph)
            nx.draw_networkx_edges(graph.nx, positions, ax=ax, edge_color="#999999",
                                   style=["dashed" if b else "solid" for b in graph.edge_border])
            nodes = nx.draw_networkx_nodes(graph.nx, positions, nodelist=graph.names, ax=ax,
                                           node_color=np.zeros(graph.n_nodes), vmin=0, vmax=1,
                                           edgecolors="k", linewidths=0.5)
            labels = nx.draw_networkx_labels(
                graph.nx, positions, labels={name: name for name in labelled}, ax=ax,
                font_size=7,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.7, "lw": 0})
            ax.margins(0.16)
            ax.axis("off")
            title = ax.set_title(" ", fontsize=10)
            texts = [labels[name] for name in labelled]
            self.animate(nodes, *texts, title)
            self.panels.append((arm, nodes, texts, title))
        cax = self.fig.add_axes((1 - 0.9 / width, 0.1, 0.15 / width, 0.75))
        self.colourbar = self.fig.colorbar(self.panels[0][1], cax=cax)
        self.colour_by = None

    def render(self, colour_by: str = "harmful coping") -> bytes:
        """PNG of the graph now, coloured by ``colour_by`` (a key of COLOURINGS)."""
        cmap, bar_label = COLOURINGS[colour_by]
        if colour_by != self.colour_by:
            for _, nodes, _, _ in self.panels:
                nodes.set_cmap(matplotlib.colormaps[cmap].with_extremes(bad=NO_DATA))
            self.colourbar.set_label(bar_label)
            self.colour_by = colour_by
            self.invalidate()
        for arm, nodes, texts, title in self.panels:
            run = self.model.runs[arm]
            at, share = self.model.node_shares(arm, colour_by)
            nodes.set_sizes(60 + 1100 * np.sqrt(at / max(self.biggest * 0.5, 1)))
            nodes.set_array(share)
            for text, i in zip(texts, self.labelled, strict=True):
                text.set_text(f"{run.graph.names[i]}\n{int(at[i])}")
            title.set_text(f"{arm_title(self.model, arm)}: step {run.steps}")
        return self.frame()


#: the map's outcome for each graph colouring (outputs/maps.py OUTCOMES)
MAP_OUTCOMES = {"harmful coping": "harmful_coping_share", "self-reliance": "self_reliant_share"}


def map_problem(model: WorkshopModel) -> str | None:
    """Why the model's scenario has no map in the app (None: it has one)."""
    return maps.map_problem(model.specs[model.arms[0]])


class MapPicture(Picture):
    """The scenario on a map of the real place, per run: units (or nodes) shaded by a share.

    Drawn by ``outputs/maps.py`` (the map of ``prds run`` and the compare report) into one
    panel per run. Each step redraws only what is inside the maps, over a kept background of
    the colour bar, legend and footnote (the artists are blitted in their z-order: the unit
    polygons under the routes, nodes and labels). Raises MapError when the scenario has no map
    (:func:`map_problem`) or its boundaries cannot be read.
    """

    #: inches: panel width, gap, colour bar column, title band, legend and footnote band
    PANEL, GAP, BAR, TOP, BOTTOM = 4.6, 0.1, 1.05, 0.3, 0.75

    def __init__(self, model: WorkshopModel):
        problem = map_problem(model)
        if problem:
            raise maps.MapError(problem)
        n = len(model.arms)
        width = self.PANEL * n + self.GAP * (n - 1) + self.BAR
        super().__init__(model, (width, 4.0), dpi=GRAPH_DPI)
        self.biggest = max(np.bincount(run.households.node, minlength=run.graph.n_nodes).max(
            initial=1) for run in model.runs.values())
        self.panels: list[tuple[str, maps.DrawnMap, object]] = []  # arm, map, title
        for i, arm in enumerate(model.arms):
            ax = self.fig.add_axes((i / n, 0, 1 / n, 1))
            at, values = self._values(arm, "harmful_coping_share")
            drawn = maps.draw_map(model.specs[arm], at, values, ax=ax, biggest=self.biggest,
                                  legend=False, colorbar=False, title=" ")
            title = ax.text(0.0, 1.01, " ", transform=ax.transAxes, fontsize=10, va="bottom")
            self.panels.append((arm, drawn, title))
        # the maps' shape fixes the figure's height: equal-aspect axes keep their drawn ratio
        ax = self.panels[0][1].ax
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        ratio = abs(y1 - y0) * ax.get_aspect() / max(abs(x1 - x0), 1e-9)
        map_height = float(np.clip(self.PANEL * ratio, 2.5, 6.0))
        height = self.TOP + map_height + self.BOTTOM
        self.fig.set_size_inches(width, height)
        for i, (_, drawn, _) in enumerate(self.panels):
            drawn.ax.set_position(((i * (self.PANEL + self.GAP)) / width,
                                   self.BOTTOM / height, self.PANEL / width, map_height / height))
        first = self.panels[0][1]
        self.mappable = ScalarMappable(first.norm, first.cmap)
        cax = self.fig.add_axes((1 - 0.85 / width, (self.BOTTOM + 0.15 * map_height) / height,
                                 0.14 / width, 0.7 * map_height / height))
        self.colourbar = self.fig.colorbar(self.mappable, cax=cax)
        spec = model.specs[model.arms[0]]
        placed = ~np.isnan(maps.node_positions(spec, first.units)).any(axis=1)
        handles = maps.legend_handles(spec, first.node_markers, first.units is not None and any(
            len(m) == 0 for m in first.unit_nodes))
        self.fig.legend(handles=handles, loc="upper left", ncols=8, fontsize=7, frameon=False,
                        bbox_to_anchor=(0.005, (self.BOTTOM - 0.05) / height), handlelength=1.6,
                        columnspacing=1.0, borderaxespad=0.0)
        self.fig.text(0.005, 0.01, textwrap.fill(maps.footnote(spec, first.units, placed, False),
                                                int(width * 19)),
                      fontsize=6, color="#555555", ha="left", va="bottom", linespacing=1.25)
        moving = []
        for _, drawn, _ in self.panels:
            inside = [*drawn.ax.collections, *drawn.ax.lines, *drawn.ax.texts]
            moving += sorted(inside, key=lambda artist: artist.get_zorder())  # stable: as drawn
        self.animate(*moving)
        self.colour_by = "harmful coping"

    @property
    def units(self) -> bool:
        """Whether the maps shade unit polygons (else the nodes carry the colour)."""
        return self.panels[0][1].units is not None

    def _values(self, arm: str, outcome: str) -> tuple[np.ndarray, np.ndarray]:
        """Households at each node and the share in ``outcome`` (NaN before the first step)."""
        run = self.model.runs[arm]
        counts = maps.node_counts(run.households, run.graph.n_nodes)
        if run.steps == 0:  # indicators are computed by the first step: nothing to shade yet
            return counts["households"], np.full(run.graph.n_nodes, np.nan)
        return counts["households"], maps.node_shares(counts, outcome)

    def render(self, colour_by: str = "harmful coping") -> bytes:
        """PNG of the maps now, shaded by ``colour_by`` (a key of MAP_OUTCOMES)."""
        outcome = MAP_OUTCOMES[colour_by]
        what, lower_is_better = maps.OUTCOMES[outcome]
        if colour_by != self.colour_by or self.background is None:
            cmap = matplotlib.colormaps["RdYlGn_r" if lower_is_better else "RdYlGn"]
            for _, drawn, _ in self.panels:
                drawn.cmap = cmap
            self.mappable.set_cmap(cmap)
            maps.style_colorbar(self.colourbar, what)
            self.colour_by = colour_by
            self.invalidate()
        for arm, drawn, title in self.panels:
            at, values = self._values(arm, outcome)
            drawn.update(at, values)
            title.set_text(f"{arm_title(self.model, arm)}: step {self.model.runs[arm].steps}")
        return self.frame()


class PanelsPicture(Picture):
    """One panel per run on a shared y axis, with fixed margins (a layout engine is slow)."""

    def __init__(self, model: WorkshopModel, panel: float, legend: float, height: float):
        n = len(model.arms)
        width = panel * n + 0.75 + legend
        super().__init__(model, (width, height))
        self.axes = np.atleast_1d(self.fig.subplots(1, n, sharey=True))
        self.fig.subplots_adjust(left=0.75 / width, right=1 - legend / width, bottom=0.17,
                                 top=0.88, wspace=0.08)
        for ax, arm in zip(self.axes, model.arms, strict=True):
            ax.set(xlim=(0, model.steps_total), xlabel="step", title=arm_title(model, arm))


class StatusPicture(PanelsPicture):
    """Households by mobility status over time, one panel per run."""

    def __init__(self, model: WorkshopModel):
        super().__init__(model, panel=4.2, legend=1.75, height=3.1)
        self.lines = {}
        for ax, arm in zip(self.axes, model.arms, strict=True):
            for label in STATUS_LINES:
                (self.lines[arm, label],) = ax.plot([], [], color=LINE_COLOURS[label],
                                                    label=label, lw=1.8)
            ax.grid(alpha=0.3)
        self.axes[0].set_ylabel("households")
        self.axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
                             frameon=False)
        self.animate(*self.lines.values())
        self.top = 0.0

    def render(self) -> bytes:
        """PNG of the status lines now; the y axis grows when a line outgrows it."""
        top = 0.0
        for arm in self.model.arms:
            history = self.model.history[arm]
            steps = [row["step"] for row in history]
            for label in STATUS_LINES:
                values = [row[label] for row in history]
                self.lines[arm, label].set_data(steps, values)
                top = max(top, max(values))
        if top > self.top:  # grow the y axis in coarse steps: the background is rarely redrawn
            self.top = nice_ceiling(top * 1.1)
            self.axes[0].set_ylim(0, self.top)
            self.invalidate()
        return self.frame()


class CopingPicture(PanelsPicture):
    """Share of households at each LCS coping level over time (stacked), one panel per run."""

    def __init__(self, model: WorkshopModel):
        super().__init__(model, panel=4.2, legend=1.55, height=3.1)
        self.axes[0].set(ylim=(0, 1), ylabel="share of households")
        handles = [Patch(color=c, label=lab) for c, lab in zip(COPING_COLOURS, COPING_LABELS,
                                                                strict=True)]
        self.axes[-1].legend(handles=handles[::-1], loc="upper left",
                             bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)

    def render(self) -> bytes:
        """PNG of the coping bands now (the bands are redrawn: stackplot has no set_data)."""
        for band in self.moving:
            band.remove()
        self.moving = []
        for arm, ax in zip(self.model.arms, self.axes, strict=True):
            history = indicator_rows(self.model.history[arm])
            steps = [row["step"] for row in history]
            levels = [[row[f"lcs_{level}"] for row in history] for level in (1, 2, 3, 4)]
            self.animate(*ax.stackplot(steps, levels, colors=COPING_COLOURS))
        return self.frame()


class SelfReliancePicture(Picture):
    """Shares self-reliant and aid-dependent over time; dashed lines are the baseline."""

    def __init__(self, model: WorkshopModel):
        super().__init__(model, (9.0, 3.1))
        ax = self.fig.subplots()
        self.fig.subplots_adjust(left=0.08, right=0.66, bottom=0.17, top=0.88)
        self.lines = {}
        for arm in model.arms:
            style = "--" if arm == BASELINE and len(model.arms) == 2 else "-"
            for key, colour, what in (("self_reliant_share", "#2e7d32", "self-reliant"),
                                      ("aid_dependent_share", "#6a1b9a", "aid-dependent")):
                (self.lines[arm, key],) = ax.plot([], [], style, color=colour, lw=2,
                                                  label=f"{what}, {arm_title(model, arm)}")
        ax.set(xlim=(0, model.steps_total), ylim=(0, 1), xlabel="step",
               ylabel="share of households", title="Self-reliance and aid dependency")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        self.animate(*self.lines.values())

    def render(self) -> bytes:
        """PNG of the self-reliance and aid-dependency lines now."""
        for (arm, key), line in self.lines.items():
            history = indicator_rows(self.model.history[arm])
            line.set_data([row["step"] for row in history], [row[key] for row in history])
        return self.frame()


def indicator_rows(history: list[dict]) -> list[dict]:
    """The rows that have indicators: from step 1 (the first step computes them)."""
    return [row for row in history if row["step"] >= 1]


def nice_ceiling(value: float) -> float:
    """The next 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten at or above ``value`` (>= 10)."""
    value = max(value, 10.0)
    power = 10 ** np.floor(np.log10(value))
    for mantissa in (1, 1.5, 2, 3, 4, 5, 6, 8, 10):
        if mantissa * power >= value:
            return float(mantissa * power)
    return float(10 * power)
