"""Shortest paths of small graphs: the same tables as scipy's Dijkstra, bit for bit."""

import numpy as np
import pytest
from scipy.sparse.csgraph import csgraph_from_dense, shortest_path

from simulation.graph import SMALL_GRAPH, shortest_paths_small


def dijkstra(dense: np.ndarray) -> np.ndarray:
    """The definition: scipy's Dijkstra on the undirected graph of ``dense`` (inf: no edge)."""
    return shortest_path(csgraph_from_dense(dense, null_value=np.inf), method="D",
                         directed=False)


@pytest.mark.parametrize("weights", ["uniform", "tenths", "zeros", "exponential"])
def test_small_graphs_get_dijkstras_tables(weights):
    rng = np.random.default_rng(len(weights))
    for _ in range(300):
        n = int(rng.integers(1, SMALL_GRAPH + 1))
        m = int(rng.integers(0, 3 * n + 1))
        source, target = rng.integers(0, n, m), rng.integers(0, n, m)  # loops, parallels
        weight = {"uniform": rng.random(m) * 100, "tenths": rng.integers(0, 5, m) * 0.1,
                  "zeros": rng.integers(0, 3, m) * 1.3,
                  "exponential": rng.exponential(50.0, m) * 0.05}[weights]
        dense = np.full((n, n), np.inf)
        np.minimum.at(dense, (source, target), weight)
        assert shortest_paths_small(dense).tobytes() == dijkstra(dense).tobytes()
