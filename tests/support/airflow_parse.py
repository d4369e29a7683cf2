"""Parse the DAG file as Airflow's DAG processor does and describe its tasks as JSON (run by
tests/test_airflow.py with the pinned Airflow's interpreter: `python airflow_parse.py DAG_FILE CASES`).

CASES is a JSON list; each case gives the settings (environment variables) the file is parsed under
and whether to run `list_jobs`' own code afterwards. The cases are parsed one after the other in this
one process (Airflow is imported once: about 5 s a process), each from a fresh run of the file under
its own environment, as a DAG processor re-parses a file; a case that raises is reported with the
exception's type, message and traceback, and the next case still runs. Output: one JSON list, a
result per case, on the last line.

Every way of starting a process is refused while the DAG file runs, so a DAG that lists its jobs (or
does anything else) with a subprocess at parse time fails here. Airflow's own lazy imports are done
first on a throwaway DAG of the same shape (croniter asks `file` about the interpreter once per
process, and a long-running DAG processor has done so long before): only the DAG file is measured.
"""

import json
import os
import runpy
import subprocess
import sys
import traceback
from datetime import datetime


def refuse(*args, **kwargs):
    raise AssertionError(f"the DAG file started a process while being parsed: {args[:1]}")


def describe(dag) -> dict:
    return {
        "dag_id": dag.dag_id,
        "tasks": {t.task_id: {"type": type(t).__name__, "mapped": "Mapped" in type(t).__name__, "pool": t.pool,
                              "max_active_tis_per_dag": t.max_active_tis_per_dag,
                              "execution_timeout": t.execution_timeout.total_seconds() if t.execution_timeout else None,
                              "retries": t.retries, "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                              "upstream": sorted(t.upstream_task_ids)} for t in dag.tasks},
    }


def parse(dag_file: str, settings: dict, list_jobs: bool) -> dict:
    """One case: the file run afresh with exactly these CQ_RENDER_* settings."""
    for name in [n for n in os.environ if n.startswith("CQ_RENDER_")]:
        del os.environ[name]
    os.environ.update(settings)
    try:
        dag = runpy.run_path(dag_file)["dag"]
        if list_jobs:       # run list_jobs' own code (its setup check comes before any process)
            dag.task_dict["list_jobs"].python_callable()
        return {"ok": True, **describe(dag)}
    except Exception as exc:  # noqa: BLE001  (reported to the test, which asserts on it)
        return {"ok": False, "error": type(exc).__name__, "message": str(exc), "traceback": traceback.format_exc()}


def main(dag_file: str, cases: list[dict]) -> None:
    from airflow.sdk import DAG, task  # the pinned Airflow's interpreter only (not the project's)

    with DAG(dag_id="warm_up", schedule="30 2 * * *", start_date=datetime(2026, 1, 1)):
        @task
        def items() -> list[str]:
            return []

        @task.bash(map_index_template="{{ item }}")
        def each(item: str) -> str:
            return "true"

        each.partial().expand(item=items())

    subprocess.Popen = refuse
    os.posix_spawn = os.posix_spawnp = os.fork = os.system = os.execv = os.execve = refuse
    results = [parse(dag_file, case.get("settings", {}), case.get("list_jobs", False)) for case in cases]
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], json.loads(sys.argv[2]))  # DAG_FILE CASES_JSON
