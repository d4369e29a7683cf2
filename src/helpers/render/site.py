"""The published run as a reader meets it: a front page per language, a run log, and downloads.

- `index.html` (中文) and `index.en.html` (English): for each edition and each notebook, its
  question in one line, its headline findings (the items its findings cell displays as data,
  numbers still sourced), links to its language and level variants, and the edition's check status; downloads.
- `runlog.html`: the jobs, their parameters, status and duration, and the manifest.
- `downloads/<edition>/`: the curated tables (CSV), datapackage.json, the facts table and the
  gazette text, copied into the run so a published run is complete on its own.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

from ..data.vocab import LANGS, autonym, data_lang
from ..errors import EditionError
from ..report import words as W

STYLE = """body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;margin:0 auto;max-width:62em;padding:1em 1.5em;line-height:1.55;color:#222}
nav{padding:.5em 0;border-bottom:1px solid #ddd;margin-bottom:1em}nav a{margin-right:1em}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #eee}h3{margin-bottom:.2em}
.question{color:#444;margin:.2em 0 .5em}.variants a{margin-right:.8em}.status{color:#2c8c6e}.status.failed{color:#c0504d}
span.sourced,span.observed{border-bottom:1px dotted #1f4e79;cursor:help}span.observed{border-bottom-style:dashed}sup.src a{text-decoration:none;font-size:75%}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
td.num{text-align:right}ul.findings li{margin:.3em 0}
@media print{nav{display:none}}"""

def front_page_name(lang: str) -> str:
    """The front page of a language: index.html for the first language of data/vocab/languages.csv,
    index.<lang>.html for the others."""
    return "index.html" if lang == LANGS[0] else f"index.{lang}.html"


def _w(key: str, lang: str) -> str:
    """The front page's words are the catalog's `site` section (helpers.report.words)."""
    return W.text(f"site.{key}", lang)


def _notebook_cells(path: Path) -> list:
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get("cells", [])


def _title_and_question(cells: list, lang: str) -> tuple[str, str]:
    """The page's first heading and its question line, from the markdown cells of `lang`."""
    for cell in cells:
        if cell.get("cell_type") != "markdown" or f"lang-{lang}" not in cell.get("metadata", {}).get("tags", []):
            continue
        text = "".join(cell["source"])
        title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), "")
        question = next((ln.strip() for ln in text.splitlines() if ln.startswith("**")), "")
        question = re.sub(r"^\*\*[^*]+\*\*\s*", "", question)
        if title:
            return title, question
    return "", ""


def _items(cells: list, job_id: str, mime: str | None = None) -> list[str]:
    """The items a page displays as data under `mime` (default: its headline findings; the year in
    numbers under YEAR_MIME: `report.page.Findings`), their source links pointing into the page."""
    from ..report.page import FINDINGS_MIME

    for cell in cells:
        for output in cell.get("outputs", []):
            found = output.get("data", {}).get(mime or FINDINGS_MIME)
            if found:
                return [item.replace('href="#src-', f'href="{job_id}/{job_id}.html#src-') for item in found["items"]]
    return []


def _findings(cells: list, job_id: str, mime: str | None = None) -> str:
    items = _items(cells, job_id, mime)
    return f'<ul class="findings">{"".join(f"<li>{i}</li>" for i in items)}</ul>' if items else ""


def _year_in_numbers(run_dir: Path, jobs_by_notebook: dict, lang: str) -> str:
    """The edition's year in numbers: the lines every page of its language gives for it (the first
    variant of each notebook, in reading order), as one list at the top of the edition."""
    from ..report.page import YEAR_MIME

    items = []
    for notebook in sorted(jobs_by_notebook):
        for job in jobs_by_notebook[notebook]:
            if job["parameters"].get("lang", "zh") != lang or job["status"] not in ("ok", "cached"):
                continue
            found = _items(_notebook_cells(run_dir / job["id"] / f"{job['id']}.ipynb"), job["id"], YEAR_MIME)
            if found:
                items += found
                break
    if not items:
        return ""
    return f'<h3>{html.escape(_w("year", lang))}</h3><ul class="findings">{"".join(f"<li>{i}</li>" for i in items)}</ul>'


def _variant_label(params: dict, lang: str) -> str:
    from ..data import vocab

    variant = params.get("lang", "zh")
    words = [vocab.autonym(variant)]
    if "level" in params:
        words.append(vocab.name("levels", params["level"], variant))   # in the language of the page it links to
    return " · ".join(words)


def _edition_of(job: dict):
    from ..data.edition import edition

    return edition(job["parameters"].get("edition"))


def _downloads(run_dir: Path, ed) -> list[tuple[str, str]]:
    """Copy the edition's published data into the run; return (label key, relative href) pairs."""
    from ..data.observations import with_observations

    target = run_dir / "downloads" / ed.id
    (target / "curated").mkdir(parents=True, exist_ok=True)
    links = []
    # Every file the descriptor lists (curated tables, crosswalks, check lists, the raw text), at the
    # same relative path, so that the downloaded datapackage.json validates where it is.
    descriptor = json.loads(ed.descriptor_path.read_text(encoding="utf-8"))
    for resource in descriptor.get("resources", []):
        rel = Path(resource["path"])
        if rel.is_absolute() or ".." in rel.parts:      # never copy a file from outside the edition into a site
            raise EditionError(f"{ed.descriptor_path}: resource {resource.get('name')!r} has path {resource['path']!r}; "
                               "expected a path inside the edition folder")
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ed.root / rel, target / rel)
    shutil.copy2(ed.descriptor_path, target / "datapackage.json")
    with_observations(ed).to_csv(target / "facts.csv", index=False, lineterminator="\n")
    base = f"downloads/{ed.id}"
    links.append(("tables", f"{base}/curated/"))
    links.append(("descriptor", f"{base}/datapackage.json"))
    links.append(("facts", f"{base}/facts.csv"))
    links.append(("gazette", f"{base}/raw/{ed.raw_path.name}"))
    return links


def _curated_listing(run_dir: Path, ed) -> None:
    """An index of the copied CSVs (a folder link would show nothing offline)."""
    folder = run_dir / "downloads" / ed.id / "curated"
    items = "".join(f'<li><a href="{html.escape(p.name)}">{html.escape(p.name)}</a></li>' for p in sorted(folder.glob("*.csv")))
    (folder / "index.html").write_text(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(ed.id)} '
                                       f'curated tables</title></head><body><ul>{items}</ul></body></html>\n', encoding="utf-8")


def _check_status(results, lang: str) -> tuple[str, bool]:
    failed = sum(c.status == "fail" for c in results)
    accepted = sum(c.status == "accepted" for c in results)
    from ..report.page import register_summary

    return _w("checks", lang).format(n=len(results), failed=failed, accepted=accepted) + register_summary(results, lang), failed == 0


def front_page(run_dir: Path, manifest: dict, lang: str, downloads: dict, status: dict) -> str:
    by_edition: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    editions = {}
    for job in manifest["jobs"]:
        ed = _edition_of(job)
        editions[ed.id] = ed
        by_edition[ed.id][job["notebook"]].append(job)
    others = "".join(f'<a href="{front_page_name(o)}" hreflang="{o}" lang="{o}">{html.escape(autonym(o))}</a>'
                     for o in LANGS if o != lang)
    body = [f'<nav>{others}<a href="runlog.html">{_w("runlog", lang)}</a><a href="#downloads">{_w("downloads", lang)}</a></nav>',
            f"<h1>{html.escape(_w('title', lang))}</h1>", f"<p>{html.escape(_w('intro', lang))}</p>"]
    for ed_id in sorted(by_edition):
        ed = editions[ed_id]
        text, ok = status[ed_id][lang]
        body.append(f'<h2>{html.escape(ed.title[data_lang(lang)])}</h2><p class="status{"" if ok else " failed"}">{html.escape(text)}</p>')
        body.append(_year_in_numbers(run_dir, by_edition[ed_id], lang))
        for notebook in sorted(by_edition[ed_id]):
            jobs = by_edition[ed_id][notebook]
            mine = [j for j in jobs if j["parameters"].get("lang", "zh") == lang] or jobs
            first = mine[0]
            cells = _notebook_cells(run_dir / first["id"] / f"{first['id']}.ipynb")
            title, question = _title_and_question(cells, lang)
            links = " | ".join(f'<a href="{html.escape(j["id"])}/{html.escape(j["id"])}.html" '
                               f'hreflang="{j["parameters"].get("lang", "zh")}" lang="{j["parameters"].get("lang", "zh")}">'
                               f'{html.escape(_variant_label(j["parameters"], lang))}</a>'
                               for j in jobs if j["status"] in ("ok", "cached"))
            body.append(f'<h3><a href="{html.escape(first["id"])}/{html.escape(first["id"])}.html">{html.escape(title or notebook)}</a></h3>')
            if question:
                body.append(f'<p class="question">{html.escape(question)}</p>')
            findings = _findings(cells, first["id"])
            if findings:
                body.append(findings)
            body.append(f'<p class="variants">{_w("variants", lang)}: {links}</p>')
    body.append(f'<h2 id="downloads">{_w("downloads", lang)}</h2>')
    for ed_id in sorted(downloads):
        items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(_w(key, lang))}</a></li>' for key, href in downloads[ed_id])
        body.append(f"<h3>{html.escape(editions[ed_id].title[data_lang(lang)])}</h3><ul>{items}</ul>")
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{html.escape(_w("title", lang))}</title>'
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def run_log(manifest: dict) -> str:
    rows = []
    for job in manifest["jobs"]:
        link = (f'<a href="{html.escape(job["id"])}/{html.escape(job["id"])}.html">{html.escape(job["id"])}</a>'
                if job["status"] in ("ok", "cached") else html.escape(job["id"]))
        error = f"<pre>{html.escape(job['error'])}</pre>" if job.get("error") else ""
        rows.append(f"<tr><td>{link}</td><td>{html.escape(job['notebook'])}</td>"
                    f"<td><code>{html.escape(json.dumps(job['parameters'], sort_keys=True))}</code></td>"
                    f"<td>{html.escape(job['status'])}</td><td class=\"num\">{job['seconds']:.1f} s</td><td>{error}</td></tr>")
    # The run log is a technical page, in English; it links each language's front page by its autonym.
    fronts = "".join(f'<a href="{front_page_name(o)}" hreflang="{o}" lang="{o}">{html.escape(autonym(o))}</a>' for o in LANGS)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Run log {html.escape(manifest["run_id"])}</title>'
            f"<style>{STYLE}</style></head><body>"
            f'<nav>{fronts}'
            f'<a href="manifest.json">manifest.json</a></nav><h1>Run log</h1>'
            f"<p>Run <code>{html.escape(manifest['run_id'])}</code>, commit <code>{html.escape(str(manifest.get('git_commit')))}</code>, "
            f"status <b>{html.escape(manifest['status'])}</b>, {manifest.get('seconds', 0)} s.</p>"
            "<table><tr><th>job</th><th>notebook</th><th>parameters</th><th>status</th><th>duration</th><th>error</th></tr>"
            + "".join(rows) + "</table></body></html>\n")


def warm_site_data(jobs) -> None:
    """Read and check the jobs' editions ahead of `write_site` (it then finds them in the loaders'
    and checks' memos). Best effort: a failure here is raised, with its message, by the real call."""
    from ..checks import run_checks
    from ..checks.engine import state_of
    from ..data.edition import edition
    from ..data.load import load_all
    from .kernels import take_checks

    for name in sorted({job.parameters.get("edition") for job in jobs}, key=str):
        try:
            ed = edition(name)
            state = state_of(ed)
            # The kernel server read, validated and checked the same files: take its results if it has them.
            if state is None or not take_checks(str(ed.root), state):
                run_checks(ed)
            load_all(ed)
        except Exception:  # noqa: BLE001,S112  (see the docstring)
            continue


def write_site(run_dir: Path, manifest: dict, write=None) -> list[str]:
    """Write the front pages, the run log and the downloads into `run_dir`; return the files written."""
    write = write or (lambda path, data: path.write_bytes(data))
    downloads, status, editions = {}, {}, {}
    for job in manifest["jobs"]:
        ed = _edition_of(job)
        editions[ed.id] = ed
    for ed_id, ed in editions.items():
        downloads[ed_id] = _downloads(run_dir, ed)
        _curated_listing(run_dir, ed)
        from ..checks import run_checks

        results = run_checks(ed)          # once per edition, worded in each language
        status[ed_id] = {lang: _check_status(results, lang) for lang in LANGS}
    written = []
    for lang in LANGS:
        write(run_dir / front_page_name(lang), front_page(run_dir, manifest, lang, downloads, status).encode("utf-8"))
        written.append(front_page_name(lang))
    write(run_dir / "runlog.html", run_log(manifest).encode("utf-8"))
    return written + ["runlog.html"]
