"""The Airflow DAG of deploy/airflow/, run for real under a pinned Apache Airflow 3 (`pytest -k airflow`).

Airflow is not a dependency of the project (it pins many libraries): the test installs the pinned
apache-airflow and apache-airflow-providers-standard with uv into a virtual environment of its own,
outside the project's lock, kept in .tools/airflow/ so that later runs start at once (and the README's
local recipe can use it). It then runs the DAG with `airflow dags test` on a small project (one notebook, two parameter
sets) and checks that the run it published is the one `python -m helpers render` publishes: the
same job files byte for byte (executed .ipynb, .html, figures), the same keys and hashes in the
manifest, and reports/latest pointing at it.

The run follows the README's local recipe ("Run the DAG locally"): AIRFLOW_HOME in a temporary folder,
LOAD_EXAMPLES False, DAGS_FOLDER at deploy/airflow, CQ_RENDER_* set, `airflow db migrate` (SQLite), a
pool for the job tasks (`airflow pools set`), then `airflow dags test DAG_ID`.

Parsing is tested on its own (tests/support/airflow_parse.py, under the pinned Airflow): the DAG file
starts no process while parsed, the jobs are mapped at run time (`render_job` is a mapped task), the
pool, parallelism, timeout and retries come from the CQ_RENDER_* settings, and a missing
CQ_RENDER_ROOT or a malformed setting is an import error that names it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from support import readme

from helpers.data import paths

pytestmark = pytest.mark.slow

AIRFLOW_PINS = ("apache-airflow==3.3.2", "apache-airflow-providers-standard==1.21.0")
DAG_FOLDER = paths.ROOT / "deploy" / "airflow"
DAG_ID = "cq_gazette_render"
BODY = """import matplotlib.pyplot as plt
fig, ax = plt.subplots(figsize=(2, 1.5))
ax.bar(["a", "b"], [2, 3])
fig.savefig(figure_dir + "/bars.png", metadata={"Software": None})
plt.show()
from IPython.display import display
display({'application/json': {'lang': lang, 'bars': 2}}, raw=True)"""


def _uv() -> str:
    """The uv the Makefile uses ($UV, exported by `make unit`), else uv on PATH, else .tools/bin/uv."""
    for candidate in (os.environ.get("UV"), "uv", ".tools/bin/uv"):
        if candidate:
            found = shutil.which(candidate) or shutil.which(str(paths.ROOT / candidate))
            if found:
                return found
    pytest.fail("uv not found (the Makefile bootstraps it into .tools/bin/uv: run `make test`, or set UV=/path/to/uv)")


def airflow_venv() -> Path:
    """.tools/airflow/: a virtual environment with the pinned Airflow (the README's local recipe uses it),
    made again when the pins or the Python version change."""
    stamp = "\n".join([*AIRFLOW_PINS, sys.version]) + "\n"
    venv = paths.ROOT / ".tools" / "airflow"
    done = venv / ".complete"
    if done.exists() and done.read_text() == stamp:
        return venv
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / "airflow.lock", "w") as lock:      # two test runs: one installs
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists() and done.read_text() == stamp:
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        uv = _uv()
        env = {**os.environ, "UV_COMPILE_BYTECODE": "1"}
        env.pop("VIRTUAL_ENV", None)
        env.pop("UV_PROJECT_ENVIRONMENT", None)
        for command in ([uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
                        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), *AIRFLOW_PINS]):
            result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
            assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        done.write_text(stamp)
    return venv


def _project(root: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('lang: str = "zh"  # "zh" or "en"\nfigure_dir: str = "."  # folder for figures')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Bars\n\n## Two bars"), params, nbformat.v4.new_code_cell(BODY)]
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(nb, root / "notebooks" / "10-bars.ipynb")
    jobs = root / "render.yaml"
    jobs.write_text("notebooks:\n  - path: notebooks/10-bars.ipynb\n    parameter_sets:\n      - {lang: zh}\n"
                    "      - {lang: en}\nkeep_runs: 3\n", encoding="utf-8")
    return jobs


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


PARSE_CASES = {          # name: (settings, run list_jobs' own code); "{tmp}" is the module's temporary folder
    "set": ({"CQ_RENDER_ROOT": "{tmp}/project", "CQ_RENDER_MAX_PARALLEL": "3", "CQ_RENDER_POOL": "cq_render",
             "CQ_RENDER_TASK_TIMEOUT": "900", "CQ_RENDER_RETRIES": "2"}, False),
    "defaults": ({"CQ_RENDER_ROOT": "{tmp}"}, False),
    "no root": ({}, False),
    "bad retries": ({"CQ_RENDER_ROOT": "/srv/project", "CQ_RENDER_RETRIES": "many"}, False),
    "bad parallel": ({"CQ_RENDER_ROOT": "/srv/project", "CQ_RENDER_MAX_PARALLEL": "0"}, False),
    "missing folder": ({"CQ_RENDER_ROOT": "{tmp}/elsewhere"}, True),
    "missing python": ({"CQ_RENDER_ROOT": "{tmp}/project"}, True),
}


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> dict[str, dict]:
    """Every case of PARSE_CASES parsed by the pinned Airflow, in one process (tests/support/airflow_parse.py,
    every process start refused): {case: the tasks described, or the error raised}."""
    venv = airflow_venv()
    tmp = tmp_path_factory.mktemp("airflow-parse")
    (tmp / "project").mkdir()
    cases = [{"settings": {k: v.replace("{tmp}", str(tmp)) for k, v in settings.items()}, "list_jobs": list_jobs}
             for settings, list_jobs in PARSE_CASES.values()]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "AIRFLOW", "PYTHONPATH", "CQ_RENDER_"))}
    env.update({"AIRFLOW_HOME": str(tmp / "airflow-home"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"})
    done = subprocess.run([str(venv / "bin" / "python"), str(paths.ROOT / "tests" / "support" / "airflow_parse.py"),
                           str(DAG_FOLDER / "cq_gazette_render.py"), json.dumps(cases)], capture_output=True, text=True,
                          env=env, cwd=tmp, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(done.stdout.splitlines()[-1])
    return {"tmp": tmp, **dict(zip(PARSE_CASES, results, strict=True))}


def test_airflow_dag_parses_without_a_process_and_maps_the_jobs_at_run_time(parsed):
    done = parsed["set"]
    assert done["ok"], done.get("traceback")
    tasks = done["tasks"]
    assert sorted(tasks) == ["assemble", "list_jobs", "new_run", "render_job"]
    job = tasks["render_job"]
    assert job["mapped"] and job["upstream"] == ["list_jobs", "new_run"]
    assert (job["pool"], job["max_active_tis_per_dag"], job["execution_timeout"], job["retries"]) == ("cq_render", 3, 900, 2)
    assert tasks["new_run"]["upstream"] == ["list_jobs"]          # nothing is written before the jobs are listed
    assert tasks["assemble"]["trigger_rule"] == "all_done" and tasks["assemble"]["retries"] == 0
    assert tasks["assemble"]["upstream"] == ["new_run", "render_job"]
    assert all(t["execution_timeout"] == 900 for t in tasks.values())

    assert parsed["defaults"]["ok"], parsed["defaults"].get("traceback")
    defaults = parsed["defaults"]["tasks"]["render_job"]
    assert (defaults["pool"], defaults["max_active_tis_per_dag"], defaults["execution_timeout"], defaults["retries"]) == \
        ("default_pool", os.cpu_count(), 1800, 1)


@pytest.mark.parametrize(("case", "named"), [
    ("no root", "CQ_RENDER_ROOT is not set"),
    ("bad retries", "CQ_RENDER_RETRIES='many'"),
    ("bad parallel", "CQ_RENDER_MAX_PARALLEL='0'"),
])
def test_airflow_dag_names_a_missing_or_bad_setting(parsed, case, named):
    done = parsed[case]
    assert not done["ok"] and done["error"] == "RenderSetupError", done
    assert named in done["message"], done["message"]
    assert "FileNotFoundError" not in done["traceback"]


def _recipe_environment(root: Path, exports: list[str]) -> dict[str, str]:
    """The environment the README's `export` lines give a shell in the folder `root` (bash evaluates them)."""
    script = "; ".join([f"cd {shlex.quote(str(root))}", *exports, "env -0"])
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]})
    return dict(item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)


def test_airflow_dag_names_a_project_folder_a_worker_lacks(parsed):
    """The first task checks what parsing cannot (the DAG processor may run where the project is not)."""
    tmp = parsed["tmp"]
    done = parsed["missing folder"]
    assert not done["ok"] and done["error"] == "RenderSetupError", done
    assert f"CQ_RENDER_ROOT={tmp / 'elsewhere'}: no such folder" in done["message"], done["message"]
    done = parsed["missing python"]
    assert not done["ok"] and done["error"] == "RenderSetupError", done
    assert f"CQ_RENDER_PYTHON={tmp / 'project' / '.venv' / 'bin' / 'python'}: no such file" in done["message"], done["message"]


def test_airflow_dag_publishes_the_same_run_as_helpers_render(tmp_path):
    """The README's local recipe ("Run the DAG locally"), command for command, on a small project laid out
    as this one (deploy/airflow/, render.yaml, .venv/): then the published run is compared with the CLI's."""
    venv = airflow_venv()
    root = tmp_path / "project"
    jobs_file = _project(root)
    (root / "deploy").mkdir()
    shutil.copytree(DAG_FOLDER, root / "deploy" / "airflow", ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".venv").symlink_to(paths.ROOT / ".venv", target_is_directory=True)   # the project's environment
    exports, commands = readme.airflow_recipe()
    recipe = _recipe_environment(root, exports)
    assert recipe["CQ_RENDER_ROOT"] == str(root) and recipe["AIRFLOW__CORE__DAGS_FOLDER"] == str(root / "deploy" / "airflow")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "AIRFLOW", "PYTHONPATH", "CQ_RENDER_"))}
    env.update({k: v for k, v in recipe.items() if k.startswith(("AIRFLOW", "CQ_RENDER_"))})
    env.update({
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "300",     # a loaded 2-core machine: not part of the recipe
        "CQ_RENDER_RETRIES": "0",                          # a failure fails the test at once
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    })
    airflow_reports, cli_reports = root / "reports", tmp_path / "cli-reports"
    airflow = str(venv / "bin" / "airflow")

    def run(*args, timeout=900):
        done = subprocess.run([airflow, *args], capture_output=True, text=True, env=env, cwd=root, timeout=timeout)
        assert done.returncode == 0, f"airflow {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        return done

    assert [c[:2] for c in commands] == [["db", "migrate"], ["pools", "set"], ["dags", "test"]], commands
    for command in commands[:-1]:
        run(*command)
    # `dags test` parses the DAG folder itself: a DAG file that fails to import fails it, naming the DAG
    # as not found (each further airflow command here would cost about 5 s of a 2-core machine).
    assert commands[-1] == ["dags", "test", DAG_ID]
    tested = run("dags", "test", DAG_ID)
    log = tested.stdout + tested.stderr
    # One mapped task instance per job, made when the DAG ran, each shown under its job id.
    for index, job_id in enumerate(["10-bars--lang-zh", "10-bars--lang-en"]):
        assert f"starting task_id=render_job map_index={index}" in log, log[-3000:]
        assert f"rendered_map_index='{job_id}'" in log, log[-3000:]

    latest = airflow_reports / "latest"
    assert latest.is_symlink() and latest.resolve().parent == (airflow_reports / "runs").resolve()
    by_airflow = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    assert by_airflow["complete"] is True and by_airflow["status"] == "ok"
    assert [j["id"] for j in by_airflow["jobs"]] == ["10-bars--lang-zh", "10-bars--lang-en"]

    cli = subprocess.run([str(root / ".venv" / "bin" / "python"), "-m", "helpers", "render", "--root", str(root), "--jobs-file", str(jobs_file),
                          "--output", str(cli_reports)], capture_output=True, text=True, timeout=600)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    by_cli = json.loads((cli_reports / "latest" / "manifest.json").read_text(encoding="utf-8"))
    same = ("id", "notebook", "parameters", "key", "status", "outputs", "results")
    assert [{k: j[k] for k in same} for j in by_airflow["jobs"]] == [{k: j[k] for k in same} for j in by_cli["jobs"]]
    for job in by_airflow["jobs"]:
        ours, theirs = _files(latest / job["id"]), _files(cli_reports / "latest" / job["id"])
        assert sorted(ours) == sorted(theirs) and {f"{job['id']}.ipynb", f"{job['id']}.html"} <= set(ours)
        assert ours == theirs, f"{job['id']}: the DAG's files differ from helpers render's"
    visible = lambda folder: {p.name for p in folder.iterdir() if not p.name.startswith(".")}  # noqa: E731
    assert visible(latest) == visible(cli_reports / "latest")
