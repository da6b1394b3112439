"""The notebooks in ``notebooks/`` run top to bottom (executed as nbmake does, with nbclient).

Plain ``python -m pytest`` runs them; ``pytest --nbmake notebooks/`` runs them the same way.
Each notebook keeps its own settings small (a few seeds, short sweeps) so that all of them
run in a few minutes; a cell that raises, or an ``assert`` in a notebook that fails, fails
the test with the cell's error.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks_for_each_audience():
    stems = [path.stem for path in PATHS]
    assert [stem.split("_")[0] for stem in stems] == ["01", "02", "03", "04"], stems


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any(o.get("output_type") in ("display_data", "execute_result") for o in outputs)
