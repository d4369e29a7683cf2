"""Render performance, measured side by side in one run on this machine, reported as ratios.

For the N jobs of the jobs file (render.yaml) on W workers (default: one per core):

floor      N runs of the papermill command line on a one-cell notebook that only imports pandas,
           matplotlib.pyplot and seaborn, W at a time (DESIGN §6: ≈ 2.6 s for one), wall time
in-process `papermill.execute_notebook` called in this process on a one-cell notebook that imports
           the stack and the package (pandas, matplotlib.pyplot, seaborn, helpers): the best of three
           single runs, times N / W (the jobs spread over the workers). No command-line start-up:
           the cost a job cannot avoid (a fresh kernel and the imports), the stricter floor
naive      what a user would write instead: per job `papermill NB OUT -r NAME VALUE … --cwd notebooks`
           then `jupyter nbconvert --to html OUT`, W jobs at a time, wall time
full       `python -m helpers render --force` into a temporary reports folder
unchanged  `python -m helpers render` again with nothing changed (every job reused, verified)

Aims: full ≤ 1.5 × each floor; naive ≥ 2 × full; unchanged < 2 s. The four are measured in turn in each
round (`--repeat R` rounds); the ratios are taken within each round and their median is reported (the
machine is shared: its speed drifts between rounds, less within one). Usage: `make benchmark` or
`python benchmarks/render_benchmark.py [--repeat 3] [--workers 2] [--jobs-file F]`. Prints a table
and one JSON line.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from helpers.data import paths
from helpers.render import run as render

BIN = Path(sys.executable).parent
FLOOR_CELL = "import pandas\nimport matplotlib.pyplot as plt\nimport seaborn"
IN_PROCESS_CELL = FLOOR_CELL + "\nimport helpers"
AIMS = {"full_over_floor_max": 1.5, "full_over_in_process_floor_max": 1.5, "naive_over_full_min": 2.0,
        "unchanged_s_max": 2.0}


def floor_notebook(folder: Path, cell: str = FLOOR_CELL, name: str = "floor.ipynb") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(cell)]
    path = folder / name
    nbformat.write(nb, path)
    return path


def say(message: str) -> None:
    """Progress on stderr (a round takes minutes; the table and the JSON line stay on stdout)."""
    print(message, file=sys.stderr, flush=True)


def _run(command: list[str], cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def in_parallel(tasks, workers: int) -> None:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(task) for task in tasks]:
            future.result()


def floor(tmp: Path, n: int, workers: int) -> float:
    nb_path = floor_notebook(tmp)
    tasks = [lambda i=i: _run([str(BIN / "papermill"), str(nb_path), str(tmp / f"floor-{i}.ipynb"),
                               "--cwd", str(tmp), "--no-progress-bar"], tmp) for i in range(n)]
    return timed(lambda: in_parallel(tasks, workers))


def in_process_floor(tmp: Path, n: int, workers: int) -> float:
    """Best of three in-process papermill runs of the import-only notebook, times n / workers."""
    import papermill

    nb_path = floor_notebook(tmp, IN_PROCESS_CELL, "floor-in-process.ipynb")
    best = min(timed(lambda: papermill.execute_notebook(str(nb_path), None, cwd=str(paths.ROOT / "notebooks"),
                                                        kernel_name="python3", progress_bar=False))
               for _ in range(3))
    return best * n / workers


def naive(tmp: Path, jobs: list, root: Path, workers: int) -> float:
    """papermill's command line, then nbconvert's, per job: the peer a user would write."""
    def one(job):
        out = tmp / "naive" / job.id
        (out / "figures").mkdir(parents=True, exist_ok=True)
        source = root / job.notebook
        params = [a for k, v in job.parameters.items() for a in ("-r", k, str(v))]
        _run([str(BIN / "papermill"), str(source), str(out / f"{job.id}.ipynb"), *params,
              "-r", "figure_dir", str(out / "figures"), "--cwd", str(source.parent), "--no-progress-bar"], root)
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out / f"{job.id}.ipynb")], root)
    return timed(lambda: in_parallel([lambda j=j: one(j) for j in jobs], workers))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="rounds of the four measurements (medians are reported)")
    parser.add_argument("--workers", "--jobs", type=int, default=os.cpu_count() or 1, help="parallel jobs (render workers)")
    parser.add_argument("--jobs-file", default=None, help="the jobs to render (default: render.yaml)")
    args = parser.parse_args()
    root = paths.ROOT
    jobs_file = Path(args.jobs_file) if args.jobs_file else render.JOBS_FILE
    jobs, _ = render.load_jobs(jobs_file, root)
    n, w = len(jobs), args.workers
    command = [sys.executable, "-m", "helpers", "render", "--quiet", "--jobs", str(w), "--jobs-file", str(jobs_file)]
    figures = {"floor": [], "in_process": [], "naive": [], "full": [], "unchanged": []}
    with tempfile.TemporaryDirectory(prefix="cq-bench-") as tmp:
        tmp = Path(tmp)
        env_tmp = tmp / "figures"
        os.environ[paths.FIGURE_ENV_VAR] = str(env_tmp)      # nothing writes into the project's figures/
        for r in range(args.repeat):
            reports = tmp / f"reports-{r}"
            steps = [("floor", lambda: floor(tmp, n, w)),
                     ("in_process", lambda: in_process_floor(tmp, n, w)),
                     ("naive", lambda: naive(tmp / f"round-{r}", jobs, root, w)),  # noqa: B023
                     ("full", lambda: timed(lambda: _run([*command, "--force", "--output", str(reports)], root))),  # noqa: B023
                     ("unchanged", lambda: timed(lambda: _run([*command, "--output", str(reports)], root)))]  # noqa: B023
            for name, step in steps:
                say(f"round {r + 1}/{args.repeat}: {name} ...")
                figures[name].append(step())
                say(f"round {r + 1}/{args.repeat}: {name} {figures[name][-1]:.2f} s")
    med = {k: statistics.median(v) for k, v in figures.items()}
    # Ratios pair by pair within each round (the machine's speed drifts between rounds), then the median.
    per_round = [{"full_over_floor": fu / fl, "full_over_in_process_floor": fu / ip, "naive_over_full": na / fu}
                 for fl, ip, na, fu in zip(figures["floor"], figures["in_process"], figures["naive"], figures["full"],
                                           strict=True)]
    ratios = {key: statistics.median(r[key] for r in per_round)
              for key in ("full_over_floor", "full_over_in_process_floor", "naive_over_full")}
    ratios["unchanged_s"] = med["unchanged"]
    met = {"full_over_floor": ratios["full_over_floor"] <= AIMS["full_over_floor_max"],
           "full_over_in_process_floor": ratios["full_over_in_process_floor"] <= AIMS["full_over_in_process_floor_max"],
           "naive_over_full": ratios["naive_over_full"] >= AIMS["naive_over_full_min"],
           "unchanged_s": ratios["unchanged_s"] < AIMS["unchanged_s_max"]}
    print(f"{n} jobs, {w} workers, {args.repeat} round(s); median seconds, and the median of each round's ratios")
    print(f"floor      papermill CLI, import-only notebook × {n}   {med['floor']:7.2f} s")
    print(f"in-process papermill in process (best of 3) × {n} / {w}  {med['in_process']:7.2f} s")
    print(f"naive      papermill CLI + nbconvert CLI per job      {med['naive']:7.2f} s")
    print(f"full       helpers render --force                   {med['full']:7.2f} s")
    print(f"unchanged  helpers render (all reused, verified)    {med['unchanged']:7.2f} s")
    print(f"full / floor     = {ratios['full_over_floor']:.2f}  (aim <= 1.5: {'met' if met['full_over_floor'] else 'NOT met'})")
    print(f"full / in-process floor = {ratios['full_over_in_process_floor']:.2f}  "
          f"(aim <= 1.5: {'met' if met['full_over_in_process_floor'] else 'NOT met'})")
    print(f"naive / full     = {ratios['naive_over_full']:.2f}  (aim >= 2: {'met' if met['naive_over_full'] else 'NOT met'})")
    print(f"unchanged        = {ratios['unchanged_s']:.2f} s (aim < 2 s: {'met' if met['unchanged_s'] else 'NOT met'})")
    if args.repeat > 1:
        print("per round: " + "; ".join(f"full/floor {r['full_over_floor']:.2f}, "
                                        f"full/in-process {r['full_over_in_process_floor']:.2f}, naive/full {r['naive_over_full']:.2f}"
                                        for r in per_round) + f"; load average {os.getloadavg()[0]:.2f}")
    print(json.dumps({"jobs": n, "workers": w, "rounds": args.repeat,
                      "seconds": {k: [round(x, 2) for x in v] for k, v in figures.items()},
                      "per_round": [{k: round(v, 2) for k, v in r.items()} for r in per_round],
                      "ratios": {k: round(v, 2) for k, v in ratios.items()}, "aims": AIMS, "met": met}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
