"""The same 64-run sweep gives the same table in one process, two processes and on Dask."""

import concurrent.futures as cf

import pandas as pd
from distributed import LocalCluster
from sweep_cases import reference_results, sweep_data, tiny_with_cash

from simulation.sweeps import from_data, run_sweep
from simulation.sweeps.executors import open_executor


def test_identical_results_on_any_executor(tmp_path):
    sweep = from_data(sweep_data(tiny_with_cash()))  # 32 LHS points x 2 replicates
    serial = reference_results()  # run once per session, here in this process (SerialExecutor)
    assert len(serial) == 64 and (serial["status"] == "ok").all()
    assert serial["run"].tolist() == list(range(64))
    assert serial["mean_rsi"].nunique() > 32  # runs really differ
    assert serial["cost_total"].max() > 0

    with open_executor(workers=2) as pool:
        assert isinstance(pool, cf.ProcessPoolExecutor)
        processes = run_sweep(sweep, tmp_path / "processes", pool)

    # A real LocalCluster with 2 workers, reached by its address as a remote cluster would be
    # (``--dask ADDRESS``). Its workers are threads (processes=False): on this 2-core machine
    # worker processes take 5-15 s to start; runs in other processes are covered just above.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=":0") as cluster:
        with open_executor(dask=cluster.scheduler_address) as executor:
            assert len(executor._client.scheduler_info()["workers"]) == 2
            dask = run_sweep(sweep, tmp_path / "dask", executor)

    for other in (processes, dask):
        pd.testing.assert_frame_equal(serial, other.results, check_exact=True)
        written = pd.read_parquet(other.out_dir / "results.parquet")
        pd.testing.assert_frame_equal(serial, written, check_exact=True)


def test_thread_pool_is_an_executor_too(tmp_path):
    sweep = from_data(sweep_data(tiny_with_cash(), samples=4, replicates=1))
    with cf.ThreadPoolExecutor(2) as pool:
        threads = run_sweep(sweep, tmp_path / "threads", pool).results
    serial = run_sweep(sweep, tmp_path / "serial").results
    pd.testing.assert_frame_equal(serial, threads, check_exact=True)
