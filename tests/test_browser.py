"""JupyterLab and the rendered reports in a real (headless) browser.

Needs Debian's Chromium (`apt-get install -y chromium fonts-noto-cjk`; .ci/run installs it). Without
it the tests are skipped with that message, never passed silently.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from helpers import lab as lab_copies
from helpers.data import paths

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-quic"]
NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium fonts-noto-cjk` "
                    "(or set CHROMIUM=/path/to/chromium) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab from the project environment on a free port with a token, serving the copies of
    notebooks/ that `make lab` opens (helpers.lab.sync), in a temporary folder."""
    root = tmp_path_factory.mktemp("lab")
    lab_copies.sync(dest=root / "notebooks")
    port, token = _free_port(), secrets.token_hex(16)
    # Render every cell (JupyterLab 4 otherwise only renders the cells in view), in a private settings dir.
    settings = root / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"), paths.FIGURE_ENV_VAR: str(root / "figures"), "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTER_CONFIG_DIR": str(root / "config"), "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces")}
    log = open(root / "lab.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root / 'notebooks'}",
         "--ServerApp.open_browser=False", "--ServerApp.allow_root=True",
         # Kernels on Unix sockets, as the renderer's: with TCP, a port jupyter_client picked as free
         # can be taken by another test's process before the kernel binds it ("Address already in
         # use"), and the notebook's kernel never starts.
         "--KernelManager.transport=ipc", f"--KernelManager.ip={root / 'runtime' / 'kernel'}"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {(root / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield url, token, root
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def _code_cells(notebook: Path) -> int:
    return sum(c["cell_type"] == "code" for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"])


def _reads_in_one_language(page, copy: Path) -> None:
    """What a reader sees in the copy `make lab` opens: one cell per cell of the copy, and every text
    cell rendered and written in the copy's language (the other language's cells are not in the copy)."""
    nb = nbformat.read(copy, as_version=4)
    lang = lab_copies.default_lang(nb)
    shown = page.locator(".jp-Notebook .jp-Cell")
    assert shown.count() == len(nb.cells), f"{copy.name}: {shown.count()} cells shown for {len(nb.cells)}"
    texts = [i for i, c in enumerate(nb.cells) if set(c.metadata.get("tags", [])) & set(lab_copies.LANG_TAGS.values())]
    assert texts and all(lab_copies.LANG_TAGS[lang] in nb.cells[i].metadata["tags"] for i in texts), copy.name
    for index in texts:
        assert shown.nth(index).locator(".jp-RenderedMarkdown").is_visible(), f"{copy.name} cell {index}: not shown"
    cjk = re.compile(r"[\u3400-\u9fff]")
    first = shown.nth(texts[0]).locator(".jp-RenderedMarkdown").inner_text()
    assert bool(cjk.search(first)) == (lang == "zh"), f"{copy.name}: the first text cell is not in {lang}: {first[:80]}"


@pytest.fixture(scope="module")
def lab_browsing(browser):
    """One browsing context for every notebook's page, as one reader's browser: JupyterLab's scripts
    are fetched and compiled once, not once per notebook (each page still opens its own workspace)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context
    context.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_jupyterlab(lab_browsing, lab, notebook, tmp_path):
    url, token, root = lab
    page = lab_browsing.new_page()
    # A workspace of its own, reset, so that tabs left open by the previous notebook are not restored.
    page.goto(f"{url}/lab/workspaces/{notebook.stem}/tree/{notebook.name}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    # The indicator can read idle while the kernel is still connecting: require it twice, a second apart.
    for _ in range(2):
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        page.wait_for_timeout(1000)
    copy = root / "notebooks" / notebook.name
    _reads_in_one_language(page, copy)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    expected = _code_cells(notebook)
    deadline = time.time() + 180
    while True:
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        done = [p for p in prompts if p.strip().strip("[]:").isdigit()]
        if len(done) >= expected and not any("*" in p for p in prompts):
            break
        if time.time() > deadline:
            page.screenshot(path=str(tmp_path / f"{notebook.stem}-timeout.png"), full_page=True)
            pytest.fail(f"{notebook.name}: cells still running after 180 s: {prompts} (screenshot in {tmp_path})")
        time.sleep(0.5)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    assert not errors, f"{notebook.name}: error or warning output: {errors[:3]}"
    _reads_in_one_language(page, copy)              # Run All re-renders every text cell: still one language
    images = page.locator(".jp-RenderedImage img")
    assert images.count() >= 1, f"{notebook.name}: no figure shown"
    images.first.scroll_into_view_if_needed()
    assert images.first.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(tmp_path / f"{notebook.stem}.png"), full_page=True)
    assert (tmp_path / f"{notebook.stem}.png").stat().st_size > 10_000
    page.close()
    _shut_down_kernels(url, token)


def _shut_down_kernels(url: str, token: str) -> None:
    """Shut down the kernels a notebook left running (as closing it with "Shut Down Kernel" would): an
    idle kernel still costs CPU, which the next notebooks and the other test workers need."""
    headers = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{url}/api/kernels", headers=headers), timeout=10) as r:
        kernels = json.loads(r.read())
    for kernel in kernels:
        request = urllib.request.Request(f"{url}/api/kernels/{kernel['id']}", headers=headers, method="DELETE")
        with urllib.request.urlopen(request, timeout=30):
            pass


def test_rendered_reports_open_offline(browser, published, tmp_path):
    manifest, latest = published
    assert manifest["status"] == "ok"
    jobs = [j for j in manifest["jobs"] if j["notebook"] == "notebooks/00-data-audit.ipynb"]
    external = []

    def block_non_local(route):
        parsed = urlparse(route.request.url)
        if parsed.scheme in ("file", "data", "about", "blob") or parsed.hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context = browser.new_context()
    context.route("**/*", block_non_local)
    page = context.new_page()
    page.goto((latest / "index.html").as_uri())
    links = page.locator("a[href$='.html'][href*='00-data-audit']")
    assert {links.nth(i).get_attribute("href").split("/")[0] for i in range(links.count())} == {j["id"] for j in jobs}
    links.first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(".html") and "00-data-audit" in page.url
    images = page.locator("img")
    assert images.count() >= 2
    for i in range(images.count()):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    hover = page.locator("span.sourced").first.get_attribute("title")
    assert "line" in hover or "行" in hover
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert external == [], f"the report requested the network: {external}"
    context.close()


# Visible text of an English page must hold no CJK character outside an element marked lang="zh".
_CJK_OUTSIDE_ZH = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  const cjk = /[\\u3400-\\u9fff\\uf900-\\ufaff\\u3000-\\u303f\\uff00-\\uffef]/;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || !cjk.test(node.textContent)) continue;
    if (el.closest('script, style, title')) continue;
    const marked = el.closest('[lang]');
    if (marked && marked.getAttribute('lang').startsWith('zh')) continue;
    found.push(node.textContent.trim().slice(0, 60));
  }
  return found;
}"""


def _local_target(page_path: Path, href: str) -> tuple[Path | None, str]:
    parsed = urlparse(href)
    if parsed.scheme or href.startswith(("mailto:", "javascript:")):
        return None, ""
    target = page_path if not parsed.path else (page_path.parent / parsed.path).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, parsed.fragment


def test_every_published_page_reads_in_its_language(browser, published, tmp_path):
    """Front pages, run log and every notebook page: no console error, every image loaded with alt
    text, no broken local link or anchor, <html lang> set, a real title, and on an English page no
    Chinese outside lang="zh". Screenshots of the front pages and one page per notebook and language
    go to a temporary folder (printed) for a person to look at."""
    manifest, latest = published
    pages = [latest / "index.html", latest / "index.en.html", latest / "runlog.html"]
    pages += [latest / j["id"] / f"{j['id']}.html" for j in manifest["jobs"]]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    shot_for = {"index.html", "index.en.html"}
    seen_notebooks = set()
    problems, titles = [], {}
    context = browser.new_context(viewport={"width": 1200, "height": 1500})
    context.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).scheme in ("file", "data", "about")
                  else route.abort())
    for path in pages:
        errors = []
        page = context.new_page()
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        name = path.name
        lang = page.evaluate("() => document.documentElement.lang")
        title = page.title()
        if lang not in ("zh", "en"):
            problems.append(f"{name}: <html lang={lang!r}>")
        if not title or title == "Notebook":
            problems.append(f"{name}: no real <title> ({title!r})")
        elif title in titles.values():
            problems.append(f"{name}: the same <title> as {next(k for k, v in titles.items() if v == title)} ({title!r})")
        titles[name] = title
        if errors:
            problems.append(f"{name}: console errors {errors[:3]}")
        # Every image is decoded from its data: URI (a page carries its figures; no lazy loading), so
        # it loads without being scrolled into view: one call reads them all, without painting each.
        for src, loaded, alt in page.evaluate("() => Array.from(document.images).map("
                                              "i => [i.getAttribute('src') || '', i.complete && i.naturalWidth > 0, i.getAttribute('alt')])"):
            if not loaded:
                problems.append(f"{name}: an image did not load")
            if not src.startswith("data:"):
                problems.append(f"{name}: an image not carried by the page ({src[:60]!r})")
            alt = (alt or "").strip()
            if not alt or alt == "No description has been provided for this image":     # nbconvert's placeholder
                problems.append(f"{name}: an image without its own alt text ({alt!r})")
        ids = set(page.evaluate("() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
        for href in page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))"):
            target, fragment = _local_target(path, href)
            if target is None:
                continue
            if not target.exists():
                problems.append(f"{name}: broken link {href}")
            elif fragment and target == path and fragment not in ids:
                problems.append(f"{name}: broken anchor {href}")
        if lang == "en":
            leaked = page.evaluate(_CJK_OUTSIDE_ZH)
            if leaked:
                problems.append(f"{name}: Chinese outside lang=zh: {leaked[:5]}")
        notebook = name.split("--")[0]
        key = (notebook, lang)
        if name in shot_for or (name.endswith(".html") and "--" in name and key not in seen_notebooks):
            seen_notebooks.add(key)
            page.evaluate("() => window.scrollTo(0, 0)")
            page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
        page.close()
    context.close()
    print(f"screenshots: {shots}")
    print("\n".join(problems))
    assert problems == []
    assert len(list(shots.glob("*.png"))) >= 2 + 2 * len({j["notebook"] for j in manifest["jobs"]})
