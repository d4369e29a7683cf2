"""JupyterLab on a scratch copy of the notebooks, so that exploring never changes the project.

The committed notebooks are nbval's references and their figures in figures/ are the figure
references; only `make refresh-notebooks` rewrites them. A Lab session saves on its own (autosave,
every 120 s), so `make lab` (`cq-gazette lab`) never opens them: it first brings scratch/notebooks/
(git-ignored) in step with notebooks/, then starts JupyterLab there. A notebook run in Lab draws its
figures into scratch/figures/ (figure_dir=None; helpers.data.paths).

Keeping in step, per notebook: a missing copy is made; a copy nobody edited since it was made is
replaced by the committed version when that changed; a copy edited in Lab is kept and named in the
output (delete it to take the committed version; copy it over notebooks/ and run
`make refresh-notebooks` to adopt your edits). What each copy was made from is recorded in
scratch/notebooks/.synced.json.

One language per page in Lab too: markdown cells are written once per language (tagged lang-zh /
lang-en). A copy is made for one language (`reading_copy`: the notebook's own, or `--lang en`): its
parameters cell reads that language and the other language's cells are left out, as the renderer
leaves them out of a page. (Collapsing them is not enough: Lab's Run All re-opens every markdown cell
it runs.) The committed notebooks also open in one language when opened directly (`lab_view`: the
other language's cells carry `jupyter.source_hidden`, which Lab shows collapsed until they are run;
a test keeps this so), and hold both languages; a change meant for the project is made there and
regenerated with `make refresh-notebooks`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from .data import paths
from .data.vocab import LANGS
from .errors import ParameterError

LANG_TAGS = {"zh": "lang-zh", "en": "lang-en"}
STATE_FILE = ".synced.json"
_LANG_LINE = re.compile(r'^(lang\s*(?::\s*str)?\s*=\s*)"([a-z]+)"', flags=re.M)


def default_lang(nb) -> str:
    """The `lang` literal of the notebook's parameters cell."""
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            found = _LANG_LINE.search(cell.source)
            if found:
                return found.group(2)
    raise ParameterError("the notebook has no parameters cell with a `lang = \"…\"` literal")


def lab_view(nb, lang: str | None = None):
    """`nb` as Lab should show it in `lang` (default: its own): that language in the parameters cell,
    the other language's markdown cells collapsed, this language's open. Changes `nb` in place."""
    lang = lang or default_lang(nb)
    if lang not in LANGS:
        raise ParameterError(f"lang={lang!r} is not allowed; allowed values: {', '.join(map(repr, LANGS))}")
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if "parameters" in tags:
            cell.source = _LANG_LINE.sub(lambda m: f'{m.group(1)}"{lang}"', cell.source, count=1)
        languages = [code for code, tag in LANG_TAGS.items() if tag in tags]
        if not languages:
            continue
        jupyter = cell.metadata.setdefault("jupyter", {})
        if lang in languages:
            jupyter.pop("source_hidden", None)
            if not jupyter:
                del cell.metadata["jupyter"]
        else:
            jupyter["source_hidden"] = True
    return nb


def reading_copy(nb, lang: str | None = None):
    """`nb` for a reader of `lang` (default: its own) in Lab: `lab_view`, without the other language's cells."""
    lab_view(nb, lang)
    lang = default_lang(nb)
    other = {tag for code, tag in LANG_TAGS.items() if code != lang}
    nb.cells = [c for c in nb.cells if not other & set(c.metadata.get("tags", []))]
    return nb


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def sync(source: Path = paths.NOTEBOOKS_DIR, dest: Path | None = None, lang: str | None = None) -> list[tuple[str, str]]:
    """Bring the scratch copies in `dest` (default scratch/notebooks/) in step with the notebooks in
    `source`; return (notebook, what happened) pairs: copied, updated, up to date, or kept (edited)."""
    import nbformat  # here, not at the top: `cq-gazette check` must not pay for it (≈1 s)

    dest = Path(dest) if dest is not None else paths.SCRATCH_DIR / "notebooks"
    notebooks = sorted(Path(source).glob("[0-9][0-9]-*.ipynb"))
    if not notebooks:
        raise ParameterError(f"no notebooks in {source}: `lab` works in a source checkout of the project")
    dest.mkdir(parents=True, exist_ok=True)
    state_file = dest / STATE_FILE
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        state = {}
    done = []
    for notebook in notebooks:
        wanted = (nbformat.writes(reading_copy(nbformat.read(notebook, as_version=4), lang)) + "\n").encode()
        target = dest / notebook.name
        if not target.exists():
            action = "copied"
        else:
            current = target.read_bytes()
            if current == wanted:
                action = "up to date"
            elif _sha256(current) == state.get(notebook.name):
                action = "updated"             # untouched since we made it; the committed one changed
            else:
                done.append((notebook.name, "kept (edited in Lab)"))
                continue
        if action != "up to date":
            _write(target, wanted)
        state[notebook.name] = _sha256(wanted)
        done.append((notebook.name, action))
    _write(state_file, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode())
    return done


def add_parser(sub):
    p = sub.add_parser("lab", help="JupyterLab on scratch copies of the notebooks (git-ignored; the committed ones are never written)")
    p.add_argument("--lang", choices=LANGS, default=None,
                   help="the language the copies are read in (their lang parameter and their text cells; "
                        "default: each notebook's own)")
    p.add_argument("--sync-only", action="store_true", help="bring scratch/notebooks/ in step and exit")
    p.add_argument("jupyter_args", nargs="*", metavar="JUPYTER_ARG",
                   help="passed to `jupyter lab` (after `--`, e.g. `-- --no-browser --port 8899`)")
    return p


def main(args) -> int:
    if not paths.IS_CHECKOUT:
        raise ParameterError("`lab` opens the notebooks of a source checkout of the project; this helpers is an "
                             f"installed package ({paths.PACKAGE_DIR})")
    dest = paths.SCRATCH_DIR / "notebooks"
    for name, action in sync(dest=dest, lang=args.lang):
        print(f"[lab] scratch/notebooks/{name}: {action}")
        if action.startswith("kept"):
            print(f"      the committed notebooks/{name} differs: delete scratch/notebooks/{name} to take it")
    print(f"[lab] figures of a notebook run here go to {paths.figures_dir()}")
    if args.sync_only:
        return 0
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={dest}", *args.jupyter_args]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in command:
        command.append("--allow-root")
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0   # not reached
