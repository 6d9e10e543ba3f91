"""The HTML view as a tool, driven in headless Chromium over the DevTools protocol: what it draws
(arrows on the rims, labels, parallel facts apart), and what clicking a node, ticking the type and
source filters and dragging the time slider change; the evidence panel; two screenshots."""

from __future__ import annotations

import html as html_text
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from policykg.export import render
from policykg.export.formats import ExportContext
from policykg.export.select import Filters, GraphReader, run_selection
from policykg.graph.store import OxigraphStore
from policykg.load import load_paths

from .cdp import Browser
from .conftest import EXAMPLES
from .test_browser import ARTIFACTS, CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

MEXICO = "https://w3id.org/policykg/id/place/mexico"
BUSTAMANTE = "https://w3id.org/policykg/id/person/jorge-bustamante"
REPORT_URL = "https://example.org/report?year=2017&q=<b>"
QUOTE = 'They said "enough" </script><b>& more'
LINKED = yaml.safe_dump({
    "source": {"title": "A report with a link <i>", "publisher": "test", "url": REPORT_URL},
    "relations": [{"subject": "us-state-department", "type": "cooperates_with",
                   "object": "sre", "date": "2016-03",
                   "evidence": {"confidence": 0.7, "quote": QUOTE}}],
}, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
def linked_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("view-data") / "examples"
    shutil.copytree(EXAMPLES, root)
    (root / "05-linked.yaml").write_text(LINKED, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def mexico(linked_dir: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Path, dict[str, Any], nx.MultiDiGraph]]:
    """The page around Mexico (depth 1, neighbours' neighbours embedded), its data, its view."""
    store = OxigraphStore()
    load_paths(store, [linked_dir])
    reader = GraphReader(store)
    filters = Filters()
    view = run_selection(reader, actor=MEXICO, depth=1, filters=filters)
    page = render(view, "html", ExportContext(reader=reader, title="Mexico", filters=filters))
    assert isinstance(page, bytes)
    path = tmp_path_factory.mktemp("view-page") / "mexico.html"
    path.write_bytes(page)
    text = page.decode("utf-8")
    block = text.split('<script id="graph-data" type="application/json">')[1].split("</script>")[0]
    yield path, json.loads(block), view
    store.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "headless Chromium is needed (apt-get install chromium)"
    with Browser(CHROMIUM, tmp_path / "profile") as b:
        yield b


def drawn_paths(b: Browser) -> list[dict[str, Any]]:
    return b.js("""Array.prototype.map.call(document.querySelectorAll('path.edge'), function (p) {
        return {key: p.getAttribute('data-key'), pair: p.getAttribute('data-pair'),
                from: p.getAttribute('data-from'), to: p.getAttribute('data-to'),
                facts: Number(p.getAttribute('data-facts')), d: p.getAttribute('d'),
                type: p.getAttribute('data-type')}; })""")


def drawn_nodes(b: Browser) -> dict[str, str]:
    return b.js("""(function () { var out = {};
        document.querySelectorAll('circle.node').forEach(function (c) {
          out[c.getAttribute('data-id')] = c.getAttribute('data-type'); });
        return out; })()""")


def count(b: Browser, name: str) -> int:
    return int(b.js(f"document.body.getAttribute('data-{name}')"))


def test_draws_the_view_with_arrows_labels_and_parallel_facts(mexico, browser: Browser) -> None:
    path, data, view = mexico
    browser.open(path.as_uri())
    shown = {n["id"] for n in data["nodes"] if n["shown"]}
    assert shown == set(view.nodes)
    assert len(data["nodes"]) > len(shown), "a ring of neighbours is embedded for expanding"
    assert set(drawn_nodes(browser)) == shown
    assert count(browser, "facts") == view.number_of_edges()
    # Every arrow ends on its target's rim: the path stops outside the circle, not under it.
    gaps = browser.js("""Array.prototype.map.call(document.querySelectorAll('path.edge'),
        function (p) {
          var end = p.getPointAtLength(p.getTotalLength());
          var c = document.querySelector('circle[data-id="' + CSS.escape(p.getAttribute('data-to'))
                                         + '"]');
          var dx = end.x - Number(c.getAttribute('cx')), dy = end.y - Number(c.getAttribute('cy'));
          return [Math.sqrt(dx * dx + dy * dy), Number(c.getAttribute('r')),
                  p.getAttribute('marker-end'), p.getAttribute('data-from') === p.getAttribute('data-to')];
        })""")
    assert gaps
    for distance, radius, marker, loop in gaps:
        assert marker == "url(#arrow)"
        assert loop or radius < distance < radius + 4
    # Relationship labels: one per line, naming its type.
    paths = drawn_paths(browser)
    labels = browser.js("Array.prototype.map.call(document.querySelectorAll('text.edge-label'),"
                        " function (t) { return t.textContent; })")
    assert sorted(labels) == sorted(p["type"] for p in paths)
    # Jorge Bustamante's statements about Mexico, counted in the raw file: each drawn apart.
    facts = yaml.safe_load((EXAMPLES / "03-facts.yaml").read_text(encoding="utf-8"))
    said = [s for s in facts["statements"]
            if s["speaker"] == "jorge-bustamante" and "mexico" in s["about"]]
    related = [r for r in facts["relations"]
               if {r["subject"], r["object"]} == {"jorge-bustamante", "mexico"}]
    expected = len(said) + len(related)
    assert expected == 3
    between = [p for p in paths if {p["from"], p["to"]} == {BUSTAMANTE, MEXICO}]
    assert len(between) == expected
    assert len({p["d"] for p in between}) == expected, "parallel facts are drawn apart"
    badges = browser.js("Array.prototype.map.call(document.querySelectorAll('text.pair-count'),"
                        " function (t) { return t.textContent; })")
    assert f"×{expected}" in badges


def test_click_expands_and_filters_and_slider_narrow(mexico, browser: Browser) -> None:
    path, data, view = mexico
    browser.open(path.as_uri())
    nodes = data["nodes"]
    index = {n["id"]: i for i, n in enumerate(nodes)}
    before = count(browser, "nodes")

    # Clicking a node opens its embedded neighbours, drawn at once, and shows it in the panel.
    def hidden_neighbours(node_id: str) -> set[str]:
        i = index[node_id]
        ends = {e["t"] if e["s"] == i else e["s"] for e in data["edges"] if i in (e["s"], e["t"])}
        return {nodes[j]["id"] for j in ends if not nodes[j]["shown"]}

    candidates = sorted((n["id"] for n in nodes if n["shown"] and hidden_neighbours(n["id"])),
                        key=lambda n: -len(hidden_neighbours(n)))
    assert candidates
    target = candidates[0]
    browser.click(f'circle[data-id="{target}"]')
    opened = hidden_neighbours(target)
    assert browser.js("document.getElementById('panel').getAttribute('data-shown')") == target
    now = drawn_nodes(browser)
    assert opened <= set(now) and len(now) == before + len(opened)
    assert count(browser, "nodes") == before + len(opened)
    expanded = len(now)

    # Unticking a type hides its nodes, and ticking it brings them back.
    persons = sum(1 for t in now.values() if t == "Person")
    assert persons >= 2
    browser.click('input.type-filter[data-type="Person"]')
    after = drawn_nodes(browser)
    assert "Person" not in after.values()
    assert len(after) == expanded - persons
    browser.click('input.type-filter[data-type="Person"]')
    assert len(drawn_nodes(browser)) == expanded

    # Unticking a source hides what only it states.
    facts_before = count(browser, "facts")
    browser.click("details.control summary")
    key = next(k for k in browser.js("Array.prototype.map.call(document.querySelectorAll("
                                     "'input.source-filter'), function (b) {"
                                     " return b.getAttribute('data-source'); })")
               if k.endswith("03-facts.yaml"))
    browser.click(f'input.source-filter[data-source="{key}"]')
    left = drawn_paths(browser)
    by_key = {e["key"]: e for e in data["edges"]}
    assert count(browser, "facts") < facts_before
    assert all(p["pair"] or by_key[p["key"]]["sources"] != [key] for p in left)
    browser.click(f'input.source-filter[data-source="{key}"]')
    assert count(browser, "facts") == facts_before
    browser.click("details.control summary")

    # Dragging the end of the time window left hides the facts dated after it.
    dates = sorted({d for e in data["edges"] for d in (e["start"], e["end"]) if d})
    rect = browser.js("(function () { var r = document.getElementById('time-to')"
                      ".getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()")
    left_x, top, width, height = rect
    thumb = (left_x + width - 8, top + height / 2)
    browser.drag(thumb, (left_x + width * 0.35, top + height / 2))
    start, end = browser.js("document.body.getAttribute('data-window')").split("/")
    assert start == dates[0] and end < dates[-1], "the slider moved the window's end"
    value = int(browser.js("document.getElementById('time-to').value"))
    assert dates[value] == end and 0 < value < len(dates) - 1
    for p in drawn_paths(browser):
        for k in ([p["key"]] if p["key"] else []):
            e = by_key[k]
            if e["start"] or e["end"]:
                assert (e["start"] or e["end"]) <= end, (k, end)
    # The raw file dates Bustamante's statements 2017-01-27: they are drawn only inside the window.
    between = [p for p in drawn_paths(browser) if {p["from"], p["to"]} == {BUSTAMANTE, MEXICO}]
    assert len(between) == (3 if end >= "2017-01-27" else 0)
    assert count(browser, "facts") < facts_before


def test_search_opens_an_embedded_node(mexico, browser: Browser) -> None:
    path, data, _ = mexico
    browser.open(path.as_uri())
    hidden = next(n for n in data["nodes"] if not n["shown"] and n["type"] == "Person")
    assert hidden["id"] not in drawn_nodes(browser)
    browser.click("#search")
    browser.type(hidden["label"])
    assert hidden["id"] in drawn_nodes(browser)
    assert browser.js("document.getElementById('panel').getAttribute('data-shown')") == hidden["id"]


def test_fact_panel_shows_evidence_and_source_link(mexico, browser: Browser) -> None:
    path, data, _ = mexico
    browser.open(path.as_uri())
    key = next(e["key"] for e in data["edges"] if e["type"] == "COOPERATES_WITH"
               and any("05-linked" in s for s in e["sources"]))
    selector = f'path.edge[data-key="{key}"]'
    # Click the middle of the curve itself (its bounding box's centre may be off the line).
    x, y = browser.js("(function () { var p = document.querySelector(" + json.dumps(selector)
                      + """); var m = p.getScreenCTM(), q = p.getPointAtLength(
        p.getTotalLength() / 2);
        return [m.a * q.x + m.c * q.y + m.e, m.b * q.x + m.d * q.y + m.f]; })()""")
    assert browser.js(f"document.elementFromPoint({x}, {y}) === document.querySelector("
                      f"{json.dumps(selector)})")
    browser.send("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left",
                 buttons=1, clickCount=1)
    browser.send("Input.dispatchMouseEvent", type="mouseReleased", x=x, y=y, button="left",
                 clickCount=1)
    panel = browser.js("document.getElementById('panel').outerHTML")
    assert f'data-shown="{html_text.escape(key)}"' in panel
    assert "<h2>COOPERATES_WITH</h2>" in panel
    assert html_text.escape("A report with a link <i>", quote=False) in panel
    assert html_text.escape(QUOTE, quote=False) in panel and "<b>" not in panel
    assert "confidence 0.7" in panel and "extractor " in panel and "05-linked.yaml:" in panel
    links = browser.js("Array.prototype.map.call(document.querySelectorAll('#panel a.source-link'),"
                       " function (a) { return [a.getAttribute('href'), a.rel]; })")
    assert links and links[0] == [REPORT_URL, "noopener noreferrer"]


def test_collapses_large_groups_and_parallel_facts(tmp_path: Path, browser: Browser) -> None:
    """Many alike nodes (one type, the same neighbour) become one group; many facts between one
    pair become one thick line with their count; clicking opens each."""
    view = nx.MultiDiGraph()
    view.add_node("urn:p", label="Programme", type="Program")
    view.add_node("urn:a", label="Actor A", type="Person")
    view.add_node("urn:b", label="Actor B", type="Person")
    for i in range(9):
        view.add_node(f"urn:act{i}", label=f"Activity {i}", type="Activity")
        view.add_edge(f"urn:act{i}", "urn:p", key=f"urn:f{i}", type="PART_OF")
    for i in range(7):
        view.add_edge("urn:a", "urn:b", key=f"urn:e{i}", type="MEETS_WITH",
                      start=f"2016-0{i + 1}-01", end=f"2016-0{i + 1}-01")
    view.add_edge("urn:a", "urn:p", key="urn:lead", type="LEADS")
    page = tmp_path / "groups.html"
    data = render(view, "html", ExportContext(title="groups"))
    assert isinstance(data, bytes)
    page.write_bytes(data)
    browser.open(page.as_uri())
    groups = browser.js("Array.prototype.map.call(document.querySelectorAll('circle.node.group'),"
                        " function (c) { return [c.getAttribute('data-type'),"
                        " Number(c.getAttribute('data-count'))]; })")
    assert groups == [["Activity", 9]]
    assert count(browser, "nodes") == 4 and count(browser, "facts") == 9 + 7 + 1
    thick = [p for p in drawn_paths(browser) if p["pair"]]
    assert len(thick) == 2 and sorted(p["facts"] for p in thick) == [7, 9]
    labels = browser.js("Array.prototype.map.call(document.querySelectorAll('text.edge-label'),"
                        " function (t) { return t.textContent; })")
    assert "MEETS_WITH ×7" in labels and "PART_OF ×9" in labels
    browser.click("circle.node.group")
    assert count(browser, "nodes") == 12
    x, y = browser.js("""(function () {
        var p = Array.prototype.filter.call(document.querySelectorAll('path.edge[data-pair]'),
          function (e) { return e.getAttribute('data-type') === 'MEETS_WITH'; })[0];
        var m = p.getScreenCTM(), q = p.getPointAtLength(p.getTotalLength() / 2);
        return [m.a * q.x + m.c * q.y + m.e, m.b * q.x + m.d * q.y + m.f]; })()""")
    for kind in ("mousePressed", "mouseReleased"):
        browser.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                     buttons=1 if kind == "mousePressed" else 0, clickCount=1)
    assert browser.js("document.getElementById('panel').getAttribute('data-shown')").startswith(
        "pair:")
    browser.click("button.open-pair")
    meets = [p for p in drawn_paths(browser) if p["type"] == "MEETS_WITH"]
    assert len(meets) == 7 and len({p["d"] for p in meets}) == 7


def test_screenshots_at_two_sizes(mexico, browser: Browser, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path, _, _ = mexico
    browser.open(path.as_uri())
    browser.click(f'circle[data-id="{BUSTAMANTE}"]')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = []
    for width, height in ((1440, 900), (800, 1000)):
        shot = browser.screenshot(ARTIFACTS / f"view-{width}x{height}.png", width, height)
        header = shot.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")) == (
            width, height)
        assert shot.stat().st_size > 20_000
        shutil.copy(shot, tmp_path / shot.name)
        shots.append(shot)
    with capsys.disabled():
        print("\nview screenshots: " + ", ".join(str(s) for s in shots))
    assert re.search(r"\d+ nodes", browser.js("document.getElementById('summary').textContent"))


def test_source_link_only_for_web_addresses(tmp_path: Path, browser: Browser) -> None:
    view = nx.MultiDiGraph()
    view.add_node("urn:a", label="A", type="Person")
    view.add_node("urn:b", label="B", type="Person")
    view.add_edge("urn:a", "urn:b", key="urn:bad", type="MEETS_WITH", sources=["bad"],
                  evidence=[{"source": "bad", "quote": "q"}])
    view.add_edge("urn:a", "urn:b", key="urn:good", type="MEETS_WITH", sources=["good"],
                  evidence=[{"source": "good"}])
    view.graph["sources"] = [
        {"key": "bad", "title": "Bad", "url": "javascript:document.body.setAttribute('x','1')"},
        {"key": "good", "title": "Good", "url": "http://example.org/ok"}]
    page = tmp_path / "links.html"
    data = render(view, "html", ExportContext(title="links"))
    assert isinstance(data, bytes)
    page.write_bytes(data)
    browser.open(page.as_uri())
    hrefs = []
    for key in ("urn:bad", "urn:good"):
        # The fact's own button in the relationships list of its first node opens its panel.
        browser.click('circle[data-id="urn:a"]')
        browser.click(f'#panel button.fact[data-key="{key}"]')
        assert browser.js("document.getElementById('panel').getAttribute('data-shown')") == key
        hrefs.append(browser.js("Array.prototype.map.call(document.querySelectorAll("
                                "'#panel a'), function (a) { return a.getAttribute('href'); })"))
    assert hrefs == [[], ["http://example.org/ok"]]
