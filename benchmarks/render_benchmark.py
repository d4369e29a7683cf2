"""Render performance against a floor, measured on this machine in one run.

floor      = (papermill executing a notebook that only imports the analysis stack) × jobs ÷ workers
full       = `python -m helpers render --force` into a temporary reports folder
unchanged  = `python -m helpers render` again with nothing changed (every job reused from the cache)

Aims (issue 4): full ≤ 1.5 × floor; unchanged < 2 s. Usage: `make benchmark` or
`python benchmarks/render_benchmark.py [--repeat 3]`. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from helpers import paths, render

STACK = "import helpers\nimport pandas\nimport matplotlib.pyplot as plt\nimport seaborn\nfrom helpers import nb, plot\nplot.setup()"


def floor_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(STACK)]
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="floor measurements (median is used)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="render workers")
    args = parser.parse_args()
    jobs, _ = render.load_jobs()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nb_path = floor_notebook(tmp)
        single = statistics.median(
            timed(lambda: papermill.execute_notebook(str(nb_path), str(tmp / "out.ipynb"), cwd=str(tmp),
                                                     kernel_name="python3", progress_bar=False, log_output=False))
            for _ in range(args.repeat))
        floor = single * len(jobs) / args.jobs
        command = [sys.executable, "-m", "helpers", "render", "--quiet", "--jobs", str(args.jobs), "--output", str(tmp / "reports")]
        full = timed(lambda: subprocess.run([*command, "--force"], check=True, cwd=paths.ROOT))
        unchanged = timed(lambda: subprocess.run(command, check=True, cwd=paths.ROOT))
    result = {"jobs": len(jobs), "workers": args.jobs, "floor_single_s": round(single, 2), "floor_s": round(floor, 2),
              "full_s": round(full, 2), "full_over_floor": round(full / floor, 2), "unchanged_s": round(unchanged, 2),
              "aims": {"full_over_floor_max": 1.5, "unchanged_s_max": 2.0}}
    print(f"jobs {len(jobs)}, workers {args.jobs}")
    print(f"floor: one import-only notebook {single:.2f} s -> {floor:.2f} s for all jobs")
    print(f"full forced render   {full:6.2f} s  = {full / floor:.2f} x floor (aim <= 1.5)")
    print(f"unchanged inputs     {unchanged:6.2f} s  (aim < 2 s)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
