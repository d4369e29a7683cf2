"""The README does not drift from the code."""

import re

from helpers.cli import table_list_markdown
from helpers.data import paths

README = (paths.ROOT / "README.md").read_text(encoding="utf-8")


def test_table_list_is_generated_from_the_descriptor():
    block = README.split("<!-- tables:start -->\n")[1].split("\n<!-- tables:end -->")[0]
    assert block == table_list_markdown(), "run `python -m helpers tables` and paste its output into the README"


def test_quick_start_is_exactly_two_commands():
    section = README.split("## Quick start")[1].split("##")[0]
    commands = re.findall(r"^make \w+", section.split("```sh")[1].split("```")[0], flags=re.M)
    assert commands == ["make report", "make test"]


def test_every_make_target_the_readme_names_exists():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    for target in set(re.findall(r"`make ([a-z-]+)", README)):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target
