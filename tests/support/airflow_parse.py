"""Parse the DAG file as Airflow's DAG processor does and describe its tasks as JSON (run by
tests/test_airflow.py with the pinned Airflow's interpreter: `python airflow_parse.py DAG_FILE`).

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
from datetime import datetime


def refuse(*args, **kwargs):
    raise AssertionError(f"the DAG file started a process while being parsed: {args[:1]}")


def main(dag_file: str) -> None:
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
    dag = runpy.run_path(dag_file)["dag"]
    if "--list-jobs" in sys.argv:       # run list_jobs' own code (its setup check comes before any process)
        dag.task_dict["list_jobs"].python_callable()
    print(json.dumps({
        "dag_id": dag.dag_id,
        "tasks": {t.task_id: {"type": type(t).__name__, "mapped": "Mapped" in type(t).__name__, "pool": t.pool,
                              "max_active_tis_per_dag": t.max_active_tis_per_dag,
                              "execution_timeout": t.execution_timeout.total_seconds() if t.execution_timeout else None,
                              "retries": t.retries, "trigger_rule": str(getattr(t.trigger_rule, "value", t.trigger_rule)),
                              "upstream": sorted(t.upstream_task_ids)} for t in dag.tasks},
    }))


if __name__ == "__main__":
    main(sys.argv[1])  # DAG_FILE [--list-jobs]
