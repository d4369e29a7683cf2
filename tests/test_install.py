"""Installed as a user installs it: a wheel built from the project into a fresh virtual environment.

The wheel is built with uv (the Makefile's: $UV, uv on PATH, or .tools/bin/uv), installed with the
locked versions of the dependencies (`uv export --frozen`, so the install resolves nothing new) into a
venv in a temporary folder, and its console script is run from another temporary folder, far from
the source tree: `cq-gazette --version`, `check`, `facts | head`, `find`, `render --list-jobs`. The
editions, the vocabulary, the notebooks and render.yaml must come from the wheel's package data
(helpers/_project/), never from this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers.data import paths

pytestmark = pytest.mark.slow       # build + install ≈ 10 s, then the commands


def _uv() -> str:
    for candidate in (os.environ.get("UV"), "uv", str(paths.ROOT / ".tools" / "bin" / "uv")):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    pytest.fail("uv not found (the Makefile bootstraps it into .tools/bin/uv: run `make venv`, or set UV=/path/to/uv)")


def _install(tmp):
    """(venv bin folder, environment, working folder outside the project) of a fresh wheel install."""
    uv = _uv()
    # As a user's shell: no PYTHONDONTWRITEBYTECODE (this machine's setting), so the venv, installed
    # without compiling (faster), caches the bytecode of what the first command imports for the next.
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
           and not k.startswith("CQ_GAZETTE_")}
    env["UV_COMPILE_BYTECODE"] = "0"

    def run(*command, cwd=paths.ROOT):
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done

    run(uv, "build", "--wheel", "--out-dir", str(tmp / "dist"))
    wheels = sorted((tmp / "dist").glob("*.whl"))
    assert len(wheels) == 1, wheels
    run(uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet", "-o", str(tmp / "requirements.txt"))
    run(uv, "venv", "--quiet", "--python", sys.executable, str(tmp / "venv"))
    run(uv, "pip", "install", "--quiet", "--python", str(tmp / "venv" / "bin" / "python"),
        "-r", str(tmp / "requirements.txt"), str(wheels[0]))
    work = tmp / "elsewhere"
    work.mkdir()
    return tmp / "venv" / "bin", env, work


def _run(installed, *args, shell=False):
    bin_dir, env, work = installed
    command = args[0] if shell else [str(bin_dir / args[0]), *args[1:]]
    return subprocess.run(command, cwd=work, env={**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"},
                          capture_output=True, text=True, timeout=600, shell=shell)


def test_an_installed_wheel_works_outside_the_checkout(tmp_path):
    # One test, not two sharing a module fixture: the suite hands each test to its own worker.
    installed = _install(tmp_path)
    _carries_its_data_and_reports_its_version(installed)
    _checks_lists_and_finds_outside_the_source_tree(installed)


def _carries_its_data_and_reports_its_version(installed):
    version = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    done = _run(installed, "cq-gazette", "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"cq-gazette {version}", done.stdout + done.stderr
    done = _run(installed, "python", "-c", "import helpers; from helpers.data import paths; "
                "print(helpers.__version__, paths.IS_CHECKOUT, paths.ROOT, paths.EDITIONS_DIR.is_dir(), helpers.__file__)")
    assert done.returncode == 0, done.stderr
    reported, is_checkout, root, has_editions, module = done.stdout.split()
    assert reported == version and is_checkout == "False" and has_editions == "True"
    assert Path(root).name == "_project" and "site-packages" in root, root
    assert not Path(module).is_relative_to(paths.ROOT), f"helpers was imported from the checkout: {module}"


def _checks_lists_and_finds_outside_the_source_tree(installed):
    check = _run(installed, "cq-gazette", "check")
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert ", 0 failed" in check.stdout and "register (" in check.stdout

    facts = _run(installed, "cq-gazette facts | head -3", shell=True)
    lines = facts.stdout.splitlines()
    assert facts.returncode == 0 and len(lines) == 3 and lines[0].startswith("table,row_id,metric"), facts.stdout + facts.stderr
    assert facts.stderr == "", facts.stderr           # the reader stopping early is not an error

    found = _run(installed, "cq-gazette", "find", "债务率")
    assert found.returncode == 0 and "budget_report" in found.stdout, found.stderr

    jobs = _run(installed, "cq-gazette", "render", "--list-jobs")
    assert jobs.returncode == 0 and "00-data-audit--lang-zh" in jobs.stdout, jobs.stdout + jobs.stderr

    refresh = _run(installed, "cq-gazette", "render", "--refresh-notebooks")
    assert refresh.returncode == 2 and "installed package" in refresh.stderr, refresh.stderr
    bin_dir, _, work = installed
    assert list(work.iterdir()) == [], "a command wrote into the working folder"
