"""Apache Airflow DAG: render the project's reports exactly as `python -m helpers render` does.

    list_jobs ── new_run ── render_job [mapped: one per job] ── assemble

- `list_jobs` runs `helpers render --list-jobs --json` (a bad jobs file fails here, before anything
  is written) and returns the job ids;
- `new_run` makes an empty run folder in REPORTS/runs/ (`--new-run`; its path goes to XCom);
- `render_job` is mapped at run time over those ids (dynamic task mapping): each mapped task runs
  `--job ID --run-dir DIR`, which executes the notebook with papermill (or reuses the published run's
  output when its inputs are unchanged and its files verify) into DIR/<job id>/; the task is shown
  under its job id;
- `assemble` (`--assemble DIR --wait`) verifies every job's files against their records, writes
  manifest.json and the front pages, and only when the run is complete swaps REPORTS/latest to it
  atomically and prunes old runs — the same code `helpers render` runs. It runs when every job task
  is done, failed ones included (a failed run still gets its manifest), and then fails too.

Parsing this file (which Airflow does every 30 s or so, and once more in every task) reads
environment variables only: no subprocess, no file of the project, no import of it. The jobs are
listed when the DAG runs. Every task runs the project's own interpreter, so Airflow's environment
needs nothing of the project. Settings, from the environment of the scheduler, the DAG processor
and the workers:

    CQ_RENDER_ROOT          the project folder (required: a named import error when it is not set)
    CQ_RENDER_PYTHON        the project's interpreter (default: ROOT/.venv/bin/python)
    CQ_RENDER_REPORTS       the reports folder (default: ROOT/reports)
    CQ_RENDER_JOBS_FILE     the jobs file (default: ROOT/render.yaml)
    CQ_RENDER_SCHEDULE      a cron expression (default "30 2 * * *"); "none" for manual runs only
    CQ_RENDER_MAX_PARALLEL  job tasks running at once (max_active_tis_per_dag; default: the CPU count)
    CQ_RENDER_POOL          the Airflow pool of the job tasks (default: default_pool)
    CQ_RENDER_TASK_TIMEOUT  seconds a task may run before Airflow stops it (execution_timeout; default 1800)
    CQ_RENDER_RETRIES       retries of a failed job task (default 1); assemble is never retried
    CQ_RENDER_RETRY_DELAY   seconds before a retry (default 300)

(These are not CQ_GAZETTE_* variables on purpose: those are the notebooks' and part of every job's
cache key; where the DAG finds things is not.)
"""

from __future__ import annotations

import os
import shlex
from datetime import datetime, timedelta

from airflow.sdk import DAG, get_current_context, task

DAG_ID = "cq_gazette_render"


class RenderSetupError(RuntimeError):
    """A setting of this DAG is missing or malformed (raised when the file is parsed or a task starts)."""


def _int_setting(name: str, default: int, minimum: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise RenderSetupError(f"{DAG_ID}: {name}={text!r}: expected a whole number ≥ {minimum}")
    return value


ROOT = os.environ.get("CQ_RENDER_ROOT", "").strip()
if not ROOT:
    raise RenderSetupError(
        f"{DAG_ID}: CQ_RENDER_ROOT is not set: set it to the project folder (the checkout holding render.yaml and "
        ".venv/) in the environment of the Airflow scheduler, DAG processor and workers")
PYTHON = os.environ.get("CQ_RENDER_PYTHON") or os.path.join(ROOT, ".venv", "bin", "python")
REPORTS = os.environ.get("CQ_RENDER_REPORTS") or os.path.join(ROOT, "reports")
JOBS_FILE = os.environ.get("CQ_RENDER_JOBS_FILE") or os.path.join(ROOT, "render.yaml")
SCHEDULE = os.environ.get("CQ_RENDER_SCHEDULE", "30 2 * * *").strip()
MAX_PARALLEL = _int_setting("CQ_RENDER_MAX_PARALLEL", os.cpu_count() or 1, minimum=1)
POOL = os.environ.get("CQ_RENDER_POOL", "").strip() or "default_pool"
TIMEOUT = timedelta(seconds=_int_setting("CQ_RENDER_TASK_TIMEOUT", 1800, minimum=1))
RETRIES = _int_setting("CQ_RENDER_RETRIES", 1, minimum=0)
RETRY_DELAY = timedelta(seconds=_int_setting("CQ_RENDER_RETRY_DELAY", 300, minimum=0))

RENDER = [PYTHON, "-m", "helpers", "render", "--root", ROOT, "--jobs-file", JOBS_FILE, "--output", REPORTS]


def _command(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in [*RENDER, *args])


def _check_setup() -> None:
    """What parsing cannot check (the DAG processor may run where the project is not): checked by the first task."""
    for what, path, test in (("CQ_RENDER_ROOT", ROOT, os.path.isdir), ("CQ_RENDER_PYTHON", PYTHON, os.path.isfile),
                             ("CQ_RENDER_JOBS_FILE", JOBS_FILE, os.path.isfile)):
        if not test(path):
            raise RenderSetupError(f"{DAG_ID}: {what}={path}: no such {'folder' if test is os.path.isdir else 'file'} "
                                   "on this worker (see the settings in the DAG file's docstring)")


with DAG(
    dag_id=DAG_ID,
    description="Render every notebook × parameter set of the Chongqing gazette analysis; publish reports/latest",
    schedule=None if SCHEDULE.lower() == "none" else SCHEDULE,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"execution_timeout": TIMEOUT, "retries": 0},
    tags=["cq-gazette", "papermill"],
) as dag:

    @task
    def list_jobs() -> list[str]:
        """The job ids of the jobs file, as `helpers render --list-jobs --json` gives them."""
        import json
        import subprocess

        _check_setup()
        done = subprocess.run([*RENDER, "--list-jobs", "--json"], cwd=ROOT, capture_output=True, text=True,
                              timeout=TIMEOUT.total_seconds())
        if done.returncode != 0:
            raise RenderSetupError(f"{DAG_ID}: `helpers render --list-jobs` failed ({done.returncode}): {done.stderr.strip()}")
        return [job["id"] for job in json.loads(done.stdout)]

    @task.bash(cwd=ROOT, retries=RETRIES, retry_delay=RETRY_DELAY)
    def new_run() -> str:
        return _command("--new-run")          # prints the run folder: its last line is the task's XCom

    @task.bash(cwd=ROOT, pool=POOL, max_active_tis_per_dag=MAX_PARALLEL, retries=RETRIES, retry_delay=RETRY_DELAY,
               map_index_template="{{ job_id }}")
    def render_job(job_id: str, run_dir: str) -> str:
        get_current_context()["job_id"] = job_id     # names the mapped task in the UI and the logs
        return _command("--job", job_id, "--run-dir", run_dir)

    @task.bash(cwd=ROOT, trigger_rule="all_done")
    def assemble(run_dir: str) -> str:
        return _command("--assemble", run_dir, "--wait")

    jobs = list_jobs()
    run_dir = new_run()
    jobs >> run_dir                                     # nothing is written before the jobs file is valid
    rendered = render_job.partial(run_dir=run_dir).expand(job_id=jobs)
    rendered >> assemble(run_dir)
