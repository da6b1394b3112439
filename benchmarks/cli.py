"""``prds bench``: the performance benchmark from the command line (see benchmarks/README.md)."""

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console(width=140)  # the table is wide; wrap nothing when output is a file


def bench_command(
    sizes: str = typer.Option("10000,100000,1000000", "--sizes",
                              help="household counts, comma-separated"),
    steps: int = typer.Option(36, "--steps", min=1, help="steps (months) per run"),
    out: Path = typer.Option(Path("out/bench"), "--out", help="folder for bench.json"),
    reference_max: int = typer.Option(
        100_000, "--reference-max", min=0,
        help="largest size the per-agent reference runs at (it costs ~40 us a household-step)"),
    nodes: int = typer.Option(None, "--nodes", min=50, max=500,
                              help="settlements in the generated graph (default: by size)"),
    repeats: int = typer.Option(3, "--repeats", min=1,
                                help="engine runs per size up to 100,000 (the median is kept)"),
    graph_sizes: str = typer.Option(
        None, "--graph-sizes",
        help="instead: validation cost per agent-day on generated Flee conflicts of these "
             "numbers of locations, comma-separated (e.g. 50,200,1000)"),
    graph_persons: int = typer.Option(200_000, "--graph-persons", min=100,
                                      help="persons in each generated conflict"),
    graph_days: int = typer.Option(180, "--graph-days", min=2,
                                   help="days of each generated conflict"),
    runs: bool = typer.Option(False, "--runs",
                              help="instead: runs per second of small scenarios, in process "
                                   "and through sweeps (benchmarks/throughput.py)"),
) -> None:
    """Household-steps per second and peak memory: the engine and the per-agent Mesa reference
    (or, with --graph-sizes, validation cost against graph size; with --runs, runs per second)."""
    from benchmarks.runner import run_benchmark
    from simulation.outputs.files import write_json

    if graph_sizes is not None:
        graph_command(graph_sizes, graph_persons, graph_days, out)
        return
    if runs:
        from benchmarks.throughput import show_throughput

        show_throughput(console, steps, Path(out))
        return

    try:
        counts = [int(size.replace("_", "")) for size in sizes.split(",") if size.strip()]
    except ValueError:
        raise typer.BadParameter(f"--sizes must be whole numbers separated by commas, not "
                                 f"{sizes!r}") from None
    if not counts or min(counts) < 100:
        raise typer.BadParameter("--sizes needs at least one size, each at least 100")

    def show(row):
        console.print(f"  {row['engine']:>9} {row['households']:>9,} households: "
                      f"{row['household_steps_per_s']:>12,} household-steps/s, "
                      f"{row['peak_bytes_per_household']:>6,} B/household peak", highlight=False)

    console.print(f"benchmark: sizes {counts}, {steps} steps, reference up to {reference_max:,}")
    rows = run_benchmark(counts, steps, reference_max, nodes, on_row=show, repeats=repeats)
    path = write_json(Path(out) / "bench.json", rows)
    console.print(table(rows))
    console.print(f"wrote [bold]{path}[/]", highlight=False)


def table(rows: list[dict]) -> Table:
    """The rows as a table (the one kept in benchmarks/README.md)."""
    out = Table(title="prds bench", header_style="bold")
    # hh-step: household-step; CPU: process CPU time over the steps (see benchmarks/runner.py)
    for name in ("engine", "households", "nodes", "steps", "hh-steps/s", "us/hh-step",
                 "CPU us/hh-step", "speed-up (CPU)", "peak B/hh", "build s", "run s", "total s"):
        out.add_column(name, justify="left" if name == "engine" else "right")
    for r in rows:
        out.add_row(r["engine"], f"{r['households']:,}", str(r["nodes"]), str(r["steps"]),
                    f"{r['household_steps_per_s']:,}", f"{r['microseconds_per_household_step']:.3f}",
                    f"{r['cpu_microseconds_per_household_step']:.3f}",
                    (f"{r['speedup_vs_reference']}x ({r['cpu_speedup_vs_reference']}x)"
                     if "speedup_vs_reference" in r else ""),
                    f"{r['peak_bytes_per_household']:,}", f"{r['build_seconds']:.1f}",
                    f"{r['run_seconds']:.1f}", f"{r['total_seconds']:.1f}")
    return out


def graph_command(sizes: str, persons: int, days: int, out: Path) -> None:
    """``prds bench --graph-sizes``: rows to ``DIR/graph_sizes.json`` and a table."""
    from benchmarks.graph_sizes import run_graph_benchmark
    from simulation.outputs.files import write_json

    try:
        counts = [int(size.replace("_", "")) for size in sizes.split(",") if size.strip()]
    except ValueError:
        raise typer.BadParameter(f"--graph-sizes must be whole numbers separated by commas, "
                                 f"not {sizes!r}") from None
    if not counts or min(counts) < 10:
        raise typer.BadParameter("--graph-sizes needs at least one size, each at least 10")
    console.print(f"validation cost by graph size: {counts} locations, {persons:,} persons, "
                  f"{days} days")
    rows = run_graph_benchmark(counts, persons, days, on_row=lambda r: console.print(
        f"  {r['locations']:>6,} locations: {r['cpu_us_per_agent_day']:.4f} CPU us per "
        f"agent-day ({r['ratio_to_smallest']}x the smallest)", highlight=False))
    path = write_json(Path(out) / "graph_sizes.json", rows)
    console.print(graph_table(rows))
    console.print(f"wrote [bold]{path}[/]", highlight=False)


def graph_table(rows: list[dict]) -> Table:
    """The graph-size rows as a table (the one kept in benchmarks/README.md)."""
    out = Table(title="prds bench --graph-sizes", header_style="bold")
    for name in ("locations", "routes", "agents", "agent-days", "CPU s", "CPU us/agent-day",
                 "x smallest", "draws/agent-day", "CPU us/draw", "peak MB"):
        out.add_column(name, justify="right")
    for r in rows:
        out.add_row(f"{r['locations']:,}", f"{r['routes']:,}", f"{r['agents_max']:,}",
                    f"{r['agent_days']:,.0f}", f"{r['cpu_seconds']:.2f}",
                    f"{r['cpu_us_per_agent_day']:.4f}", f"{r['ratio_to_smallest']:.2f}",
                    f"{r['next_stop_draws_per_agent_day']:.2f}",
                    f"{r['cpu_us_per_next_stop_draw']:.4f}", f"{r['peak_bytes'] / 2**20:,.0f}")
    return out
