"""The README's shell blocks, read once for the tests that run or resolve them (tests/test_readme_commands.py)
and for the Airflow test, which runs the local recipe's commands (tests/test_airflow.py)."""

from __future__ import annotations

import re
import shlex

from helpers.data import paths

README = paths.ROOT / "README.md"
AIRFLOW = ".tools/airflow/bin/airflow"


def blocks(kind: str = "sh") -> list[list[str]]:
    """The command lines of every fenced block of `kind`, comments and blank lines removed."""
    text = README.read_text(encoding="utf-8")
    found = []
    for body in re.findall(rf"^```{kind}\n(.*?)^```", text, flags=re.M | re.S):
        lines = []
        for line in body.splitlines():
            words = shlex.split(line, comments=True)
            if words:
                lines.append(_strip_comment(line))
        found.append(lines)
    return found


def _strip_comment(line: str) -> str:
    """The line without its trailing `# comment` (a # inside quotes is kept)."""
    quote, out = None, []
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            break
        out.append(ch)
    return "".join(out).rstrip()


def airflow_recipe() -> tuple[list[str], list[list[str]]]:
    """The local Airflow recipe: its `export` lines, and the arguments of each airflow command in order."""
    for lines in blocks():
        if any(line.startswith(AIRFLOW) for line in lines):
            exports = [line for line in lines if line.startswith("export ")]
            commands = [shlex.split(line)[1:] for line in lines if line.startswith(AIRFLOW)]
            return exports, commands
    raise AssertionError(f"README.md has no sh block with {AIRFLOW} commands (the local Airflow recipe)")
