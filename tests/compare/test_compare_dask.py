"""``prds compare --dask``: the comparison on the sweeps' executors gives the pool's numbers."""

import pytest
from compare_fixtures import CASH, scenario, write
from typer.testing import CliRunner

from simulation.cli import app
from simulation.compare import compare


@pytest.mark.slow
def test_compare_on_dask_local_gives_the_same_numbers_as_the_pool(tmp_path):
    files = [write(tmp_path, scenario("base", steps=8)), write(tmp_path, scenario("cash", CASH, 8))]
    pool = compare(files, replicates=4, workers=2)
    dask = compare(files, replicates=4, workers=2, dask="local")
    assert dask.document == pool.document
    assert dask.document["scenarios"]["cash"]["cost"]["total"]["median"] > 0


def test_a_cluster_that_cannot_be_reached_is_a_clear_error(tmp_path):
    base = write(tmp_path, scenario("base"))
    result = CliRunner().invoke(app, ["compare", str(base), "--replicates", "1",
                                      "--dask", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.output
