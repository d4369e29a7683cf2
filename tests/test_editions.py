"""What `make check` and `make validate` do, for every edition folder, inside the one pytest session
of `make test` (so that they run beside the other tests rather than before them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import helpers.cli
from helpers.data import paths

EDITIONS = sorted(p for p in (paths.ROOT / "data" / "editions").iterdir() if (p / "datapackage.json").is_file())


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda p: p.name)
def test_every_check_of_the_edition_passes(edition, capsys):
    assert helpers.cli.main(["check", "--edition", str(edition)]) == 0, capsys.readouterr().out[-3000:]


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda p: p.name)
def test_the_edition_validates_with_frictionless(edition):
    done = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "datapackage.json"],
                          cwd=edition, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
