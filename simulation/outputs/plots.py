"""Standard plots of one run (matplotlib, no display needed): statuses, coping, RSI, graph."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from simulation.codes import Status, names  # noqa: E402

STATUS_COLOURS = {
    "in_place": "#9e9e9e", "displaced_camp": "#d62728", "displaced_host": "#ff7f0e",
    "in_transit": "#bcbd22", "returned": "#2ca02c", "locally_integrated": "#17becf",
    "settled_elsewhere": "#1f77b4", "regular_migration": "#9467bd",
    "irregular_migration": "#8c564b", "redisplaced": "#e377c2",
}
COPING_COLOURS = ["#4caf50", "#ffeb3b", "#ff9800", "#d32f2f"]
COPING_LABELS = ["1 none", "2 stress", "3 crisis", "4 emergency"]


def statuses_over_time(timeseries: pd.DataFrame, ax=None):
    """Households by mobility status at each step (stacked)."""
    fig, ax = _axes(ax)
    table = timeseries.pivot_table(index="step", columns="status", values="households",
                                   aggfunc="sum", observed=False).fillna(0)
    order = [s for s in names(Status) if s in table.columns and table[s].sum() > 0]
    ax.stackplot(table.index, [table[s] for s in order], labels=order,
                 colors=[STATUS_COLOURS[s] for s in order])
    ax.set(xlabel="step", ylabel="households", title="Mobility status")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def coping_over_time(timeseries: pd.DataFrame, ax=None):
    """Share of households at each WFP LCS coping level (stacked)."""
    fig, ax = _axes(ax)
    table = timeseries.pivot_table(index="step", columns="lcs", values="households",
                                   aggfunc="sum").reindex(columns=[1, 2, 3, 4]).fillna(0)
    shares = table.div(table.sum(axis=1), axis=0)
    ax.stackplot(shares.index, [shares[c] for c in shares.columns], labels=COPING_LABELS,
                 colors=COPING_COLOURS)
    ax.set(xlabel="step", ylabel="share of households", title="Coping level (LCS)", ylim=(0, 1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def self_reliance_distribution(rsi: np.ndarray, group: np.ndarray, threshold: float, ax=None):
    """Distribution of the mean RSI score at the last step, by group, with the threshold."""
    fig, ax = _axes(ax)
    bins = np.linspace(1, 5, 33)
    for code, label in enumerate(("displaced", "migrant", "host")):
        values = rsi[group == code]
        if len(values):
            ax.hist(values, bins=bins, alpha=0.55, label=f"{label} ({len(values)})")
    ax.axvline(threshold, color="k", ls="--", lw=1, label=f"self-reliant >= {threshold}")
    ax.set(xlabel="mean RSI domain score (1..5)", ylabel="households",
           title="Self-reliance at the last step")
    ax.legend(fontsize=8)
    return fig


def settlement_graph(graph, households_at: np.ndarray, harmful_share: np.ndarray, ax=None,
                     title: str = "Settlement graph"):
    """The graph with node size by households and colour by share in crisis/emergency coping."""
    fig, ax = _axes(ax, size=(7, 5))
    positions = layout(graph)
    sizes = 80 + 1200 * np.sqrt(households_at / max(households_at.max(), 1))
    nx.draw_networkx_edges(graph.nx, positions, ax=ax, edge_color="#999999",
                           style=["dashed" if b else "solid" for b in graph.edge_border])
    drawn = nx.draw_networkx_nodes(graph.nx, positions, nodelist=graph.names, ax=ax,
                                   node_size=sizes, node_color=harmful_share, cmap="RdYlGn_r",
                                   vmin=0, vmax=1, edgecolors="k", linewidths=0.5)
    nx.draw_networkx_labels(graph.nx, positions, ax=ax, font_size=8,
                            labels={n: f"{n}\n{int(c)}" for n, c in zip(graph.names, households_at,
                                                                          strict=True)})
    fig.colorbar(drawn, ax=ax, label="share in crisis or emergency coping")
    ax.set_title(title)
    ax.margins(0.12)  # room for the labels of nodes at the edge
    ax.axis("off")
    return fig


def layout(graph) -> dict:
    """Node positions: the scenario's x/y when all nodes have them, else a seeded spring layout."""
    spec = {node.name: node for node in graph.spec.nodes}
    if all(node.x is not None and node.y is not None for node in spec.values()):
        return {name: (node.x, node.y) for name, node in spec.items()}
    return nx.spring_layout(graph.nx, seed=1, weight=None)


def _axes(ax, size=(7, 4)):
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
        return fig, ax
    return ax.figure, ax
