"""Apache Airflow DAG: render the project's reports exactly as `python -m helpers render` does.

The DAG is built from `python -m helpers render --list-jobs --json` when Airflow parses this file:

    new_run ─┬─ <job id> ─┬─ assemble
             ├─ <job id> ─┤
             └─ …         ┘

- `new_run` makes an empty run folder in REPORTS/runs/ (`--new-run`; its path goes to XCom).
- one task per job: `--job ID --run-dir DIR` executes the notebook with papermill (or reuses the
  published run's output when its inputs are unchanged and its files verify) into DIR/<job id>/.
- `assemble` (`--assemble DIR --wait`) verifies every job's files against their records, writes
  manifest.json and the front pages, and only when the run is complete swaps REPORTS/latest to it
  atomically and prunes old runs — the same code `helpers render` runs. It runs when all job tasks are
  done, failed ones included, so a failed run still gets its manifest; it then fails too (exit 1).

Every task is a BashOperator running the project's own interpreter, so Airflow needs nothing of the
project installed in its own environment. Configuration, from the environment of the scheduler, the
DAG processor and the workers:

    CQ_RENDER_ROOT       the project folder (default: two folders above this file)
    CQ_RENDER_PYTHON     the project's interpreter (default: ROOT/.venv/bin/python)
    CQ_RENDER_REPORTS    the reports folder (default: ROOT/reports)
    CQ_RENDER_JOBS_FILE  the jobs file (default: ROOT/render.yaml)
    CQ_RENDER_SCHEDULE   a cron expression (default "30 2 * * *"); "none" for manual runs only

(These are not CQ_GAZETTE_* variables on purpose: those are the notebooks' and part of every job's
cache key; where the DAG finds things is not.)
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from datetime import datetime
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

ROOT = Path(os.environ.get("CQ_RENDER_ROOT") or Path(__file__).resolve().parents[2])
PYTHON = os.environ.get("CQ_RENDER_PYTHON") or str(ROOT / ".venv" / "bin" / "python")
REPORTS = os.environ.get("CQ_RENDER_REPORTS") or str(ROOT / "reports")
JOBS_FILE = os.environ.get("CQ_RENDER_JOBS_FILE") or str(ROOT / "render.yaml")
SCHEDULE = os.environ.get("CQ_RENDER_SCHEDULE", "30 2 * * *")
DAG_ID = "cq_gazette_render"

RENDER = [PYTHON, "-m", "helpers", "render", "--root", str(ROOT), "--jobs-file", JOBS_FILE, "--output", REPORTS]


def _command(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in [*RENDER, *args])


def list_jobs() -> list[dict]:
    """The jobs, as `helpers render --list-jobs --json` gives them (validated: a bad jobs file fails here)."""
    done = subprocess.run([*RENDER, "--list-jobs", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{DAG_ID}: `helpers render --list-jobs` failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


RUN_DIR = "{{ ti.xcom_pull(task_ids='new_run') }}"

with DAG(
    dag_id=DAG_ID,
    description="Render every notebook × parameter set of the Chongqing gazette analysis; publish reports/latest",
    schedule=None if SCHEDULE.lower() == "none" else SCHEDULE,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
    tags=["cq-gazette", "papermill"],
) as dag:
    new_run = BashOperator(task_id="new_run", bash_command=_command("--new-run"), cwd=str(ROOT))
    assemble = BashOperator(task_id="assemble", bash_command=_command("--assemble", "RUN_DIR", "--wait")
                            .replace("RUN_DIR", f'"{RUN_DIR}"'), cwd=str(ROOT), trigger_rule="all_done")
    for job in list_jobs():
        task = BashOperator(task_id=job["id"], bash_command=_command("--job", job["id"], "--run-dir", "RUN_DIR")
                            .replace("RUN_DIR", f'"{RUN_DIR}"'), cwd=str(ROOT))
        new_run >> task >> assemble
