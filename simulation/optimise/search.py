"""Run an optimisation: NSGA-II over mixes, each candidate judged on shared worlds and seeds.

The search is pymoo's NSGA-II (Deb et al. 2002) driven by its ask-and-tell interface: each
generation the algorithm is asked for a population, every new mix in it is evaluated, and
the robustness measures (``measures.py``) are told back, with the budget as an inequality
constraint (``max cost over the runs - budget <= 0``; Deb's constraint domination). In the
first generation the corners (each programme alone with the whole budget) and the even split
are evaluated too, as references (not told to the algorithm).

Every candidate runs on the same S uncertainty points x R replicates: replicate k uses seed k
of ``simulation.compare.seeds.replicate_seeds(root, R)``, point s the same overrides for all
(common random numbers), so differences between mixes are the mixes, not noise. Identical
mixes (integer or named levers make them common) are evaluated once.

The runs are tasks of the sweeps' runner (``simulation.sweeps.runner.evaluate`` on any
``concurrent.futures`` executor: in-process, a local process pool, Dask) written as they
finish by the sweeps' store, one folder per generation (``generations/gNNNN/``: atomic part
files). A killed run resumes by replaying the search from the start: pymoo's generator is
seeded, and every run already written is read back instead of run, so the search asks for
the same candidates and ends with the same evaluations, bit for bit.
"""

import concurrent.futures as cf
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.api import run_one
from simulation.compare.seeds import SEED_SCHEME, replicate_seeds
from simulation.optimise import measures
from simulation.optimise.portfolio import Mix, Portfolio
from simulation.optimise.spec import Optimisation, OptimiseError
from simulation.outputs import files
from simulation.sweeps import runner as sweep_runner
from simulation.sweeps.design import SweepDesign
from simulation.sweeps.runner import Model, RunTask, SweepProgress
from simulation.sweeps.spec import SweepError
from simulation.sweeps.store import ResultStore


class EvaluationFailed(RuntimeError):
    """Runs of a generation failed; what finished is written, ``--resume`` runs them again."""


@dataclass
class GenerationProgress:
    """Passed to the progress callback as a generation's runs finish."""

    generation: int  # 1-based
    generations: int
    candidates: int
    total: int  # runs of this generation (new mixes x samples x replicates)
    done: int = 0
    failed: int = 0
    rate: float = 0.0


@dataclass
class OptimisationResult:
    """What :func:`run_optimisation` returns."""

    problem: Optimisation
    portfolio: Portfolio
    evaluations: pd.DataFrame
    hypervolume: pd.DataFrame
    seeds: list[int]
    samples: list[dict]
    out_dir: Path
    mixes: dict[int, Mix] = field(repr=False)  # candidate -> mix
    runs: dict[str, dict[str, np.ndarray]] = field(repr=False)  # mix key -> outcome -> runs
    ran: int = 0
    skipped: int = 0

    @property
    def pareto(self) -> pd.DataFrame:
        return self.evaluations[self.evaluations["pareto"]].reset_index(drop=True)

    @property
    def chosen(self) -> pd.DataFrame:
        rows = self.evaluations[self.evaluations["chosen"] > 0]
        return rows.sort_values("chosen").reset_index(drop=True)

    @property
    def corners(self) -> pd.DataFrame:
        return self.evaluations[self.evaluations["kind"] == "corner"].reset_index(drop=True)

    def runs_of(self, candidate: int) -> dict[str, np.ndarray]:
        """Outcome -> values over the candidate's runs (sample-major, then replicate)."""
        return self.runs[self.mixes[candidate].key]


def run_optimisation(problem: Optimisation, out_dir: str | Path,
                     executor: cf.Executor | None = None, *, resume: bool = False,
                     model: Model = run_one,
                     progress: Callable[[GenerationProgress], None] | None = None
                     ) -> OptimisationResult:
    """Search the mixes of ``problem``; write every run to ``out_dir`` as it finishes.

    Args:
        problem: a validated file (``load_optimisation``; ``.with_search(...)`` to resize).
        out_dir: output folder; ``generations/`` in it holds the runs (resumable).
        executor: any ``concurrent.futures.Executor`` (default: in this process).
        resume: continue the optimisation in ``out_dir``: runs written are read, not run; a
            finished one given more generations continues from its last.
        model: ``model(scenario, seed, overrides) -> summary`` (default ``run_one``).
        progress: called with a :class:`GenerationProgress` as runs finish.
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    from simulation.sweeps.executors import SerialExecutor, executor_width

    portfolio = Portfolio(problem)
    seeds = replicate_seeds(problem.root_seed, problem.replicates)
    samples = problem.uncertainty_sample()
    objectives = dict(problem.objectives)
    outcomes = tuple(dict.fromkeys([*objectives, "cost_total"]))
    out = Path(out_dir)
    document = optimisation_document(problem, seeds, samples, model)
    _open(out, document, resume)
    executor = executor or SerialExecutor()
    window = max(1, 2 * executor_width(executor))

    space = Problem(n_var=portfolio.n_var, n_obj=len(objectives), n_ieq_constr=1,
                    xl=np.zeros(portfolio.n_var), xu=np.ones(portfolio.n_var))
    algorithm = NSGA2(pop_size=problem.search.population, eliminate_duplicates=True)
    algorithm.setup(space, seed=problem.root_seed, verbose=False)

    cache: dict[str, dict[str, np.ndarray]] = {}
    mixes: dict[int, Mix] = {}
    rows: list[dict] = []
    ran = skipped = 0
    generations = problem.search.generations
    for g in range(generations):
        population = algorithm.ask()
        batch: list[tuple[str, str, Mix]] = []
        if g == 0:
            batch += [("corner", label, mix) for label, mix in portfolio.corners()]
            batch.append(("even", "even split", portfolio.even()))
        batch += [("search", "", portfolio.decode(x)) for x in population.get("X")]
        new = list({mix.key: mix for _, _, mix in batch if mix.key not in cache}.values())
        state = GenerationProgress(generation=g + 1, generations=generations,
                                   candidates=len(batch), total=len(new) * len(samples) * len(seeds))
        r, s = _evaluate(out / "generations" / f"g{g:04d}", new, portfolio, seeds, samples,
                         outcomes, executor, window, document, resume, model, state, progress,
                         cache)
        ran, skipped = ran + r, skipped + s
        searched = []
        for kind, label, mix in batch:
            candidate = len(rows)
            mixes[candidate] = mix
            rows.append(_row(candidate, g, kind, label, mix, cache[mix.key], objectives,
                             portfolio))
            if kind == "search":
                searched.append(rows[-1])
        frame = pd.DataFrame(searched)
        F = measures.to_minimise(frame, objectives, problem.robustness)
        G = ((frame["cost_max"].to_numpy() - portfolio.budget) / portfolio.budget)[:, None]
        Evaluator().eval(StaticProblem(space, F=F, G=G), population)
        algorithm.tell(infills=population)

    evaluations = _finish(pd.DataFrame(rows), portfolio, problem)
    hypervolume = hypervolume_by_generation(evaluations, objectives, problem.robustness)
    return OptimisationResult(problem=problem, portfolio=portfolio, evaluations=evaluations,
                              hypervolume=hypervolume, seeds=seeds, samples=samples,
                              out_dir=out, mixes=mixes, runs=cache, ran=ran, skipped=skipped)


# --- one generation's runs ------------------------------------------------------------------------
def _evaluate(folder: Path, new: list[Mix], portfolio: Portfolio, seeds, samples, outcomes,
              executor, window, document, resume, model, state, progress, cache) -> tuple[int, int]:
    """Run (or read back) every run of the generation's new mixes; fill ``cache``."""
    if progress:
        progress(state)
    if not new:
        return 0, 0
    design_rows, tasks = [], []
    for mix in new:
        scenario = portfolio.scenario(mix)
        digest = mix_digest(mix)
        for s, overrides in enumerate(samples):
            for r, seed in enumerate(seeds):
                run = len(design_rows)
                design_rows.append({"run": run, "mix": digest, "sample": s, "replicate": r,
                                    "seed": seed})
                tasks.append(RunTask(run=run, seed=seed, overrides=overrides, scenario=scenario,
                                     outcomes=tuple(outcomes), model=model))
    runs = pd.DataFrame(design_rows).astype({"run": "int64", "sample": "int64",
                                             "replicate": "int64", "seed": "int64"})
    design = SweepDesign(method="optimise", names=(), unit=np.empty((len(runs), 0)),
                         points=runs, runs=runs)
    store = ResultStore(folder, design, list(outcomes))
    try:
        store.open(document, resume=resume)
    except SweepError as error:
        raise OptimiseError([(p[0], p[1], p[2], p[3].replace("sweep", "optimisation"))
                             for p in error.problems]) from None
    try:
        done = store.completed() if resume else set()
        todo = [task for task in tasks if task.run not in done]
        sweep_state = SweepProgress(total=len(tasks), done=len(done), started_with=len(done))

        def show(s: SweepProgress) -> None:
            state.done, state.failed, state.rate = s.done, s.failed, s.rate
            if progress:
                progress(state)

        show(sweep_state)
        sweep_runner._drive(executor, _units(todo, window), store, window, sweep_state, show)
        results = store.consolidate()
    finally:
        store.close()
    failed = results[results["status"] != "ok"]
    if len(failed) or len(results) != len(tasks):
        first = failed["error"].iloc[0] if len(failed) else "runs missing"
        raise EvaluationFailed(f"{len(failed)} of {len(tasks)} runs of generation "
                               f"{state.generation} failed (first: {first}); every finished "
                               f"run is written in {folder} - fix the cause and continue with "
                               "--resume")
    results = results.sort_values("run", kind="stable")
    for mix in new:
        mine = results[results["mix"] == mix_digest(mix)].sort_values(["sample", "replicate"])
        cache[mix.key] = {key: mine[key].to_numpy(dtype=np.float64) for key in outcomes}
    return len(todo), len(done)


def _units(todo: list[RunTask], window: int) -> list:
    """What the sweeps' windowed loop (``runner._drive``) submits: batches of runs where the
    runner batches them (``evaluate_batch``), else single runs."""
    if not hasattr(sweep_runner, "evaluate_batch"):
        return todo
    size = sweep_runner.batch_size(len(todo), max(1, window // 2))
    return [tuple(todo[i:i + size]) for i in range(0, len(todo), size)]


def mix_digest(mix: Mix) -> str:
    return hashlib.sha256(mix.key.encode("utf-8")).hexdigest()[:16]


# --- rows of evaluations.parquet ------------------------------------------------------------------
def _row(candidate: int, generation: int, kind: str, label: str, mix: Mix, runs: dict,
         objectives: dict, portfolio: Portfolio) -> dict:
    row = {"candidate": candidate, "generation": generation, "kind": kind, "label": label,
           "mix": mix_digest(mix)}
    for name in portfolio.names:
        row[f"{name}.budget_share"] = mix.shares[name]
        row[f"{name}.budget"] = mix.budgets[name]
    row.update(mix.levers)
    cost = runs["cost_total"]
    row["cost"] = float(np.median(cost))
    row["cost_max"] = float(np.max(cost))
    row["within_budget"] = bool(row["cost_max"] <= portfolio.budget)
    for key, sense in objectives.items():
        values = measures.robust(runs[key], sense)
        row[f"{key}_median"], row[f"{key}_p10"] = values["median"], values["p10"]
    return row


def _finish(frame: pd.DataFrame, portfolio: Portfolio, problem: Optimisation) -> pd.DataFrame:
    """Typed columns, and the Pareto front, the corner test and the chosen mixes marked."""
    for column, kind in portfolio.column_kinds().items():
        frame[column] = frame[column].astype({"int": "int64", "float": "float64",
                                              "str": "string"}[kind])
    frame["kind"] = frame["kind"].astype("string")
    frame["label"] = frame["label"].astype("string")
    frame["mix"] = frame["mix"].astype("string")
    objectives, statistic = dict(problem.objectives), problem.robustness
    F = measures.to_minimise(frame, objectives, statistic)
    first = ~frame["mix"].duplicated().to_numpy()  # an identical mix counts once
    feasible = frame["within_budget"].to_numpy() & first
    pareto = np.zeros(len(frame), dtype=bool)
    pareto[feasible] = measures.non_dominated(F[feasible])
    frame["pareto"] = pareto
    corners = F[(frame["kind"] == "corner").to_numpy()]
    frame["beats_corners"] = [bool(ok) and all(measures.dominates(f, c) for c in corners)
                              for f, ok in zip(F, frame["within_budget"], strict=True)]
    scale = measures.normaliser(F[feasible]) if feasible.any() else (lambda G: G)
    frame["balance"] = 1.0 - scale(F).max(axis=1) if len(F) else []
    frame["chosen"] = 0
    for rank, index in enumerate(choose(frame, F, pareto, problem.keep), start=1):
        frame.loc[index, "chosen"] = rank
    return frame


def choose(frame: pd.DataFrame, F: np.ndarray, pareto: np.ndarray, keep: int) -> list:
    """The mixes written as scenario files, best first: among the Pareto mixes (not the
    programmes alone; of mixes with the same objective values, the cheapest), those that beat
    every programme alone if any do: the most balanced (the best worst-case standing across
    the objectives), then the best on each objective in turn, then the rest by balance; then
    the other Pareto mixes by balance. So the few files written span the front."""
    pool = frame[pareto & (frame["kind"] != "corner").to_numpy()].copy()
    pool["_key"] = [tuple(row) for row in F[pool.index.to_numpy()]]
    pool = pool.sort_values(["cost", "candidate"]).drop_duplicates("_key")
    picked: list = []
    for group in (pool[pool["beats_corners"]], pool[~pool["beats_corners"]]):
        by_balance = group.sort_values(["balance", "cost", "candidate"],
                                       ascending=[False, True, True]).index.tolist()
        order = by_balance[:1]
        if len(group) and group["beats_corners"].iloc[0]:
            for j in range(F.shape[1]):
                values = pd.Series(F[group.index.to_numpy(), j], index=group.index)
                best = values[values == values.min()].index
                order.append(min(best, key=by_balance.index))
        order += by_balance
        picked += [i for i in dict.fromkeys(order) if i not in picked]
    return picked[:keep]


def hypervolume_by_generation(frame: pd.DataFrame, objectives: dict,
                              statistic: str) -> pd.DataFrame:
    """Hypervolume of the feasible front known after each generation (normalised by the range
    of every feasible evaluation, reference point 1.1), and of the corners and even split."""
    F = measures.to_minimise(frame, objectives, statistic)
    feasible = frame["within_budget"].to_numpy()
    if not feasible.any():
        return pd.DataFrame({"generation": [], "hypervolume": [], "reference": []})
    scale = measures.normaliser(F[feasible])
    reference = feasible & frame["kind"].isin(["corner", "even"]).to_numpy()
    base = measures.hypervolume(F[reference], scale)
    out = []
    for g in sorted(frame["generation"].unique()):
        known = feasible & (frame["generation"] <= g).to_numpy()
        out.append({"generation": int(g) + 1, "hypervolume": measures.hypervolume(F[known], scale),
                    "reference": base, "evaluated": int((frame["generation"] <= g).sum())})
    return pd.DataFrame(out)


# --- the folder -----------------------------------------------------------------------------------
def optimisation_document(problem: Optimisation, seeds: list[int], samples: list[dict],
                          model) -> dict:
    """What ``optimise.json`` records, with the fingerprint ``--resume`` checks: everything that
    decides the candidates and their runs except the number of generations (a finished search
    may be continued) and the model (a model fixed after runs failed may resume them)."""
    data = json.loads(problem.model_dump_json())
    decides = {k: v for k, v in data.items() if k not in ("search", "keep", "description")}
    decides["population"] = problem.search.population
    made_of = json.dumps({"problem": decides, "scenario": problem.scenario_data(),
                          "seeds": seeds, "samples": samples}, sort_keys=True, default=str)
    model_name = f"{getattr(model, '__module__', '?')}.{getattr(model, '__qualname__', model)}"
    return {"optimisation": data, "file": problem._file, "base_scenario": problem.scenario_file,
            "root_seed": problem.root_seed, "seed_scheme": SEED_SCHEME.format(
                root=problem.root_seed),
            "seeds": seeds, "samples": samples, "model": model_name,
            "fingerprint": hashlib.sha256(made_of.encode("utf-8")).hexdigest()}


def _open(out: Path, document: dict, resume: bool) -> None:
    out.mkdir(parents=True, exist_ok=True)
    generations = out / "generations"
    started = generations.exists() and any(generations.iterdir())
    if started and not resume:
        raise OptimiseError([(str(out), None, "", "this folder already holds an optimisation: "
                              "pass --resume to continue it, or choose another --out")])
    path = out / "optimise.json"
    if resume and path.exists():
        before = json.loads(path.read_text(encoding="utf-8")).get("fingerprint")
        if before is not None and before != document["fingerprint"]:
            raise OptimiseError([(str(out), None, "", "this folder holds another optimisation "
                                  "(its file, base scenario, seeds, uncertainty sample or "
                                  "population differ); choose another --out")])
    files.write_json(path, document)

