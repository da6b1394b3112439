"""Time `prds build` on the real CAF level-3 COD files (175 units) with the example's fixtures.

    .venv/bin/python benchmarks/build_level3.py [--repeats 5]

Prints the median wall time of `simulation.build.build` (reading every file, matching P-codes,
the graph, provenance; writing both files) beside the level-2 build measured in the same run.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "scenarios" / "build" / "car-2024.recipe.yaml"
CAF = REPO.parent / "shared" / "data" / "cod" / "caf"


def recipe(folder: Path, level: int) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for key in ("displacement", "conflict", "prices", "sites"):
        value = data[key]
        if isinstance(value, str):
            data[key] = str(EXAMPLE.parent / value)
        else:
            data[key] = {**value, "file": str(EXAMPLE.parent / value["file"])}
    data["level"] = level
    data["boundaries"] = str(CAF / f"caf_admin{level}.parquet")
    data["population"] = str(CAF / f"caf_admpop_adm{level}_2015.csv")
    path = folder / f"level{level}.recipe.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from simulation.build import build

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        times = {}
        for level in (2, 3):
            path = recipe(folder, level)
            build(path, folder / f"warm{level}.yaml")  # imports and file caches warm
            runs = []
            for i in range(args.repeats):
                start = time.perf_counter()
                build(path, folder / f"car{level}-{i}.yaml")
                runs.append(time.perf_counter() - start)
            times[level] = statistics.median(runs)
            print(f"level {level}: median {times[level]:.2f} s over {args.repeats} builds")
        print(f"level 3 / level 2: {times[3] / times[2]:.2f}")


if __name__ == "__main__":
    main()
