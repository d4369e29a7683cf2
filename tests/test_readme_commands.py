"""Every command the README shows runs as written in a plain shell (no activated environment).

Each command line of every ```sh block is either **run** for real from the project folder (the cheap
ones: they read, or write only where this test sends their redirected output) or **resolved** (the
expensive or long-running ones — `make report`, `make test`, `make lab` …: `make -n` must accept the
target, a `cq-gazette` command must parse, the Airflow recipe is run by tests/test_airflow.py, the
`pip install .` example by tests/test_install.py). A line no rule covers fails the test, so a new
command in the README needs a decision here. Commands written inline in prose are held to the same
form: no bare `python`, `papermill`, `jupyter` … (they are not on a plain shell's PATH), and every
`cq-gazette X` and `make X` names a subcommand or target that exists.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess

import pytest
from support import readme

from helpers.cli import build_parser
from helpers.data import paths

MAKEFILE = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
CHEAP_MAKE_TARGETS = {"help", "venv", "check", "validate", "facts"}      # seconds each: run for real
VENV_TOOLS = {".venv/bin/cq-gazette", ".venv/bin/papermill", ".venv/bin/frictionless"}
ELSEWHERE = {  # commands run by another test, which says so in its docstring
    readme.AIRFLOW: "tests/test_airflow.py runs the local Airflow recipe command for command",
    "export": "tests/test_airflow.py evaluates the recipe's exports",
    "python3": "tests/test_install.py installs the package into a fresh environment (with uv) and runs cq-gazette",
    "/tmp/cq-env/bin/cq-gazette": "tests/test_install.py runs the installed cq-gazette outside the project",
}


def _lines() -> list[str]:
    return [line for block in readme.blocks("sh") for line in block]


def decide(line: str) -> tuple[str, str]:
    """('run', why) or ('resolved', why) for one README command line; AssertionError if no rule covers it."""
    words = shlex.split(line)
    head = words[0]
    if head == "make":
        targets = [w for w in words[1:] if not w.startswith("-") and "=" not in w and w not in (">", "|")]
        targets = targets[: next((i for i, w in enumerate(targets) if w.endswith(".csv")), len(targets))]
        cheap = set(targets) <= CHEAP_MAKE_TARGETS and not any(w == "|" for w in words)
        return ("run", "a cheap make target") if cheap else ("resolved", "make -n accepts the target")
    if head in VENV_TOOLS:
        if head.endswith("cq-gazette") and words[1:2] == ["render"] and "--list-jobs" not in words:
            return "resolved", "a render: the command line parses"
        return "run", "reads only"
    if head == "source":
        return "run", "activates, then runs cq-gazette --version"
    for prefix, why in ELSEWHERE.items():
        if head == prefix:
            return "resolved", why
    raise AssertionError(f"README command {line!r}: no rule says whether to run or resolve it (tests/test_readme_commands.py)")


COMMANDS = _lines()


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 15 and any(line.startswith(".venv/bin/cq-gazette") for line in COMMANDS)


@pytest.mark.parametrize("line", COMMANDS)
def test_every_readme_command_resolves(line):
    """The cheap structural check for every line: the tool exists where the line calls it, the make
    targets exist (`make -n`), the cq-gazette arguments parse, variables given to make are used."""
    kind, why = decide(line)
    words = shlex.split(line)
    head = words[0]
    if head == "make":
        assignments = [w.split("=")[0] for w in words[1:] if "=" in w]
        for name in assignments:
            assert f"$({name})" in MAKEFILE, f"{line}: the Makefile never reads {name}"
        targets = [w for w in words[1:] if re.fullmatch(r"[a-z][a-z-]*", w)]
        for target in targets:
            assert re.search(rf"^{target}:", MAKEFILE, flags=re.M), f"{line}: no target {target}"
        done = subprocess.run(["make", "-n", *targets], cwd=paths.ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"make -n {' '.join(targets)}: {done.stderr}"
    elif head in VENV_TOOLS:
        assert (paths.ROOT / head).is_file(), f"{line}: {head} is not installed by make venv"
        if head.endswith("cq-gazette"):
            args = shlex.split(line.split("|")[0])[1:]
            if args != ["--version"]:
                build_parser().parse_args(args)       # exits (SystemExit) on a wrong command line
    elif head == "source":
        assert (paths.ROOT / words[1]).is_file()
    else:
        assert kind == "resolved" and why


def _run_line(line: str, tmp_path) -> subprocess.CompletedProcess:
    """Run `line` with bash from the project folder, in a plain environment (no venv on PATH); a
    redirection into a file of the project goes to tmp_path instead (this test never writes there)."""
    redirected = re.sub(r">\s*(\S+)$", lambda m: f"> {shlex.quote(str(tmp_path / m.group(1)))}", line)
    if line.startswith("source "):
        redirected = f"{line} && cq-gazette --version"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    venv_bin = str(paths.ROOT / ".venv" / "bin")
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    return subprocess.run(["bash", "-c", f"set -o pipefail; {redirected}"], cwd=paths.ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("line", [line for line in COMMANDS if decide(line)[0] == "run"])
def test_cheap_readme_commands_run_as_written(line, tmp_path):
    before = subprocess.run(["git", "status", "--porcelain"], cwd=paths.ROOT, capture_output=True, text=True).stdout
    done = _run_line(line, tmp_path)
    # `… | head` closes the pipe early: the command stops quietly (exit 0, no traceback).
    assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout.strip() or any(tmp_path.iterdir()), f"{line}: printed and wrote nothing"
    after = subprocess.run(["git", "status", "--porcelain"], cwd=paths.ROOT, capture_output=True, text=True).stdout
    assert after == before, f"{line} changed the project"


def test_no_bare_tool_in_inline_commands():
    """Inline `python …`, `papermill …`, `jupyter …` would fail in a plain shell: the README calls them
    through .venv/bin/ (or make); `cq-gazette X` and `make X` name what exists."""
    text = readme.README.read_text(encoding="utf-8")
    spans = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", text)
    bare = [s for s in spans if re.match(r"(python3?|papermill|frictionless|jupyter|pytest|airflow|pip|uv|ruff)\s", s)]
    assert not bare, f"commands that fail in a plain shell (use .venv/bin/… or a make target): {bare}"
    subcommands = set(build_parser()._subparsers._group_actions[0].choices)
    for span in spans:
        if span.startswith("cq-gazette "):
            first = span.split()[1]
            if not first.startswith(("-", "…")):
                for name in first.split("|"):
                    assert name in subcommands, f"`{span}`: cq-gazette has no command {name!r}"
        if span.startswith("make "):
            for target in re.findall(r"\b[a-z][a-z-]*\b", span[5:].split("=")[0]):
                if target.isupper() or f"{target}=" in span:
                    continue
                assert re.search(rf"^{target}:", MAKEFILE, flags=re.M), f"`{span}`: no make target {target}"



def test_the_cron_example_calls_an_existing_target():
    """The nightly cron line (resolved: its make target exists and reads the variable it is given)."""
    lines = [line for block in readme.blocks("cron") for line in block]
    assert lines
    for line in lines:
        make = re.search(r"\bmake ([a-z-]+)((?: [A-Z_]+=\S+)*)", line)
        assert make, line
        assert re.search(rf"^{make.group(1)}:", MAKEFILE, flags=re.M), line
        for name in re.findall(r"([A-Z_]+)=", make.group(2)):
            assert f"$({name})" in MAKEFILE, f"{line}: the Makefile never reads {name}"
