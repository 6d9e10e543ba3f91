"""The HTML page in headless Chromium: it draws every node, searches, and runs no injected code."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from policykg.export import render
from policykg.export.formats import ExportContext
from policykg.export.html import page_json
from policykg.export.select import GraphReader

from .conftest import XSS_NAME

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
#: An element carrying the attribute the hostile name's onerror handler would set.
PWNED = re.compile(r"<[a-zA-Z][^<>]*\sdata-pwned=")
CHROMIUM = os.environ.get("POLICYKG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def chromium(tmp_path: Path, *args: str) -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":  # CI installs it (.ci/run): never skipped there
            pytest.fail("headless Chromium is not installed (apt-get install chromium)")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    profile = tmp_path / "profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
           "--virtual-time-budget=5000", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def page(view: nx.MultiDiGraph, reader: GraphReader, tmp_path: Path) -> Path:
    path = tmp_path / "view.html"
    data = render(view, "html", ExportContext(reader=reader, title="Test <view> & \"co\""))
    assert isinstance(data, bytes)
    path.write_bytes(data)
    return path


def test_page_is_self_contained_and_escaped(whole: nx.MultiDiGraph, reader: GraphReader,
                                            tmp_path: Path) -> None:
    text = page(whole, reader, tmp_path).read_text(encoding="utf-8")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert not re.search(r"(src|href)=\"?(https?:)?//", text), "no remote loads"
    data_block = text.split('<script id="graph-data" type="application/json">')[1].split("</script>")[0]
    assert "<" not in data_block and ">" not in data_block and "&" not in data_block
    assert "\u2028" not in data_block
    assert "innerHTML" not in text and "outerHTML" not in text and "insertAdjacentHTML" not in text
    assert "<title>Test &lt;view&gt; &amp; &quot;co&quot;</title>" in text
    assert page_json("</script>\u2028") == '"\\u003c/script\\u003e\\u2028"'


@pytest.mark.browser
def test_page_in_chromium(whole: nx.MultiDiGraph, reader: GraphReader, tmp_path: Path) -> None:
    path = page(whole, reader, tmp_path)
    dom = chromium(tmp_path, "--dump-dom", path.as_uri() + "#q=Enrique%20Pena")
    assert 'data-ready="1"' in dom, "the page script ran to the end"
    circles = re.findall(r'<circle [^>]*class="node[ "]', dom)
    assert len(circles) == whole.number_of_nodes()
    assert int(re.search(r'data-nodes="(\d+)"', dom).group(1)) == whole.number_of_nodes()
    lines = re.findall(r'<path [^>]*class="edge', dom)
    assert int(re.search(r'data-facts="(\d+)"', dom).group(1)) == whole.number_of_edges()
    assert lines and len(lines) <= whole.number_of_edges()
    # The search from the URL fragment marked the one match and opened it in the panel.
    assert 'data-matches="1"' in dom
    assert len(re.findall(r'class="node match', dom)) == 1
    assert 'data-shown="https://w3id.org/policykg/id/person/enrique-pena-nieto"' in dom
    assert "Enrique Peña Nieto</h2>" in dom
    # The hostile name is text: escaped in the serialized DOM, no <img>, nothing ran.
    assert html.escape(XSS_NAME, quote=False) in dom
    assert "<img" not in dom
    assert not PWNED.search(dom), "the onerror handler ran"


@pytest.mark.browser
def test_xss_name_in_panel_and_screenshot(whole: nx.MultiDiGraph, reader: GraphReader,
                                          tmp_path: Path) -> None:
    path = page(whole, reader, tmp_path)
    dom = chromium(tmp_path, "--dump-dom", path.as_uri() + "#q=onerror")
    assert 'data-matches="1"' in dom
    escaped = html.escape(XSS_NAME, quote=False)
    assert f"<h2>{escaped}</h2>" in dom, "the panel shows the name as text"
    assert "<img" not in dom
    assert not PWNED.search(dom), "the onerror handler ran"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "export-view.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,800",
             path.as_uri() + "#q=bustamante")
    assert shot.stat().st_size > 10_000


def test_big_views_are_laid_out_by_type(whole: nx.MultiDiGraph,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from policykg.export import html as html_module

    monkeypatch.setattr(html_module, "FORCE_LAYOUT_LIMIT", 5)
    positions = html_module.layout(whole)
    assert positions == html_module.layout(whole)  # deterministic
    assert set(positions) == set(whole.nodes)
    assert all(0 <= x <= html_module.WIDTH and 0 <= y <= html_module.HEIGHT
               for x, y in positions.values())
    assert len(set(positions.values())) == len(positions)
    # Each type is one disc: nodes of one type lie closer to their own centre than to others'.
    by_type: dict[str, list[tuple[float, float]]] = {}
    for n, (x, y) in positions.items():
        by_type.setdefault(whole.nodes[n]["type"], []).append((x, y))
    boxes = {t: (min(p[0] for p in ps), min(p[1] for p in ps), max(p[0] for p in ps),
                 max(p[1] for p in ps)) for t, ps in by_type.items()}
    for t, (x0, y0, x1, y1) in boxes.items():
        for other, ps in by_type.items():
            if other != t:
                assert not any(x0 < x < x1 and y0 < y < y1 for x, y in ps), (t, other)
