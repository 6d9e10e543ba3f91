// policykg subgraph viewer. Written for policykg; no third-party code.
// Reads the graph from <script id="graph-data" type="application/json">, draws it as SVG with
// the positions computed in Python, and shows evidence in a side panel. Every text from the data
// goes into the page through textContent or setAttribute, never as markup.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = data.nodes, edges = data.edges;
  var byId = {};
  var circles = [], labels = [], lines = [];
  var adjacency = nodes.map(function () { return []; });
  var sourcesByKey = {};
  (data.sources || []).forEach(function (s) { sourcesByKey[s.key] = s; });

  function el(name, attrs, text) {
    var e = document.createElement(name);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function svgEl(name, attrs) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  // ---------------------------------------------------------------- drawing
  var svg = document.getElementById("canvas");
  var viewport = svgEl("g", { id: "viewport" });
  var edgeLayer = svgEl("g", { "class": "edges" });
  var nodeLayer = svgEl("g", { "class": "nodes" });
  var labelLayer = svgEl("g", { "class": "labels" });
  viewport.appendChild(edgeLayer); viewport.appendChild(nodeLayer); viewport.appendChild(labelLayer);
  svg.appendChild(viewport);
  // Fit the drawing: the view box is the nodes' bounding box plus a margin for labels.
  var bounds = nodes.reduce(function (b, n) {
    return [Math.min(b[0], n.x), Math.min(b[1], n.y), Math.max(b[2], n.x), Math.max(b[3], n.y)];
  }, [Infinity, Infinity, -Infinity, -Infinity]);
  if (!nodes.length) { bounds = [0, 0, data.width, data.height]; }
  var margin = 40;
  var view = { x: bounds[0] - margin, y: bounds[1] - margin,
               w: Math.max(bounds[2] - bounds[0], 100) + 2 * margin + 160,
               h: Math.max(bounds[3] - bounds[1], 100) + 2 * margin };
  svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
  var showAllLabels = nodes.length <= data.labelLimit;

  nodes.forEach(function (n, i) { byId[n.id] = i; });
  edges.forEach(function (e, i) {
    adjacency[e.s].push(i);
    if (e.t !== e.s) { adjacency[e.t].push(i); }
    var a = nodes[e.s], b = nodes[e.t];
    var line = svgEl("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, "class": "edge",
                               "data-index": i, "marker-end": "url(#arrow)" });
    var title = svgEl("title");
    title.textContent = a.label + " " + e.type + " " + b.label;
    line.appendChild(title);
    line.addEventListener("click", function (ev) { ev.stopPropagation(); showEdge(i); });
    edgeLayer.appendChild(line);
    lines.push(line);
  });
  nodes.forEach(function (n, i) {
    var c = svgEl("circle", { cx: n.x, cy: n.y, r: n.r, fill: n.colour, "class": "node",
                              "data-index": i, "data-type": n.type });
    var title = svgEl("title");
    title.textContent = n.label + " (" + n.type + ")";
    c.appendChild(title);
    c.addEventListener("click", function (ev) { ev.stopPropagation(); showNode(i); });
    nodeLayer.appendChild(c);
    circles.push(c);
    var t = svgEl("text", { x: n.x + n.r + 2, y: n.y + 4, "class": "label" });
    t.textContent = n.label;
    if (!showAllLabels) { t.setAttribute("visibility", "hidden"); }
    labelLayer.appendChild(t);
    labels.push(t);
  });

  // ---------------------------------------------------------------- legend
  var legend = document.getElementById("legend");
  (data.types || []).forEach(function (t) {
    var item = el("li", { "class": "legend-item" });
    var swatch = el("span", { "class": "swatch" });
    swatch.style.backgroundColor = t.colour;
    item.appendChild(swatch);
    item.appendChild(el("span", null, t.type + " (" + t.count + ")"));
    legend.appendChild(item);
  });
  document.getElementById("summary").textContent =
    nodes.length + " nodes, " + edges.length + " relationships" +
    (data.truncated ? " (truncated)" : "");

  // ---------------------------------------------------------------- side panel
  var panel = document.getElementById("panel");
  function addRow(table, key, value) {
    if (value === undefined || value === null || value === "") { return; }
    var tr = el("tr");
    tr.appendChild(el("th", null, key));
    var text = Array.isArray(value) ? value.join("; ") : String(value);
    tr.appendChild(el("td", null, text));
    table.appendChild(tr);
  }
  function evidenceList(items) {
    var wrap = el("div", { "class": "evidence" });
    wrap.appendChild(el("h3", null, "Evidence"));
    if (!items || !items.length) { wrap.appendChild(el("p", null, "none recorded")); return wrap; }
    var ul = el("ul");
    items.forEach(function (ev) {
      var li = el("li");
      var src = sourcesByKey[ev.source];
      li.appendChild(el("strong", null, src && src.title ? src.title : (ev.source || "?")));
      var bits = [];
      if (src && src.publisher) { bits.push(src.publisher); }
      if (ev.source) { bits.push(ev.source); }
      if (ev.record) { bits.push("record " + ev.record); }
      if (ev.charStart !== undefined) { bits.push("chars " + ev.charStart + "–" + ev.charEnd); }
      if (ev.extractor) { bits.push(ev.extractor); }
      if (ev.confidence !== undefined) { bits.push("confidence " + ev.confidence); }
      li.appendChild(el("div", { "class": "meta" }, bits.join(" · ")));
      if (ev.quote) { li.appendChild(el("blockquote", null, ev.quote)); }
      if (src && src.url && /^https?:\/\//.test(src.url)) {
        li.appendChild(el("div", { "class": "meta" }, src.url));
      }
      ul.appendChild(li);
    });
    wrap.appendChild(ul);
    return wrap;
  }
  function propsTable(props, skip) {
    var table = el("table");
    Object.keys(props).sort().forEach(function (k) {
      if (skip.indexOf(k) < 0) { addRow(table, k, props[k]); }
    });
    return table;
  }
  function highlight(nodeIdx, edgeIdx) {
    circles.forEach(function (c) { c.classList.remove("selected"); });
    lines.forEach(function (l) { l.classList.remove("selected"); });
    if (nodeIdx !== null) { circles[nodeIdx].classList.add("selected"); }
    if (edgeIdx !== null) { lines[edgeIdx].classList.add("selected"); }
  }
  function showNode(i) {
    var n = nodes[i];
    highlight(i, null);
    clear(panel);
    panel.appendChild(el("h2", null, n.label));
    panel.appendChild(el("div", { "class": "type" }, n.type));
    panel.appendChild(el("div", { "class": "uri" }, n.uri));
    panel.appendChild(propsTable(n.props, ["evidence", "label", "uri", "type"]));
    panel.appendChild(evidenceList(n.evidence));
    var rel = el("div", { "class": "relations" });
    rel.appendChild(el("h3", null, "Relationships (" + adjacency[i].length + ")"));
    var ul = el("ul");
    adjacency[i].slice(0, 200).forEach(function (ei) {
      var e = edges[ei];
      var other = e.s === i ? e.t : e.s;
      var li = el("li");
      var button = el("button", { type: "button", "class": "link" },
                      (e.s === i ? "→ " : "← ") + e.type + " " + nodes[other].label);
      button.addEventListener("click", function () { showEdge(ei); });
      li.appendChild(button);
      ul.appendChild(li);
    });
    rel.appendChild(ul);
    panel.appendChild(rel);
    panel.setAttribute("data-shown", n.id);
  }
  function showEdge(i) {
    var e = edges[i];
    highlight(null, i);
    clear(panel);
    panel.appendChild(el("h2", null, e.type));
    var ends = el("div", { "class": "ends" });
    [e.s, e.t].forEach(function (ni, k) {
      var b = el("button", { type: "button", "class": "link" }, nodes[ni].label);
      b.addEventListener("click", function () { showNode(ni); });
      if (k === 1) { ends.appendChild(el("span", null, " → ")); }
      ends.appendChild(b);
    });
    panel.appendChild(ends);
    panel.appendChild(propsTable(e.props, ["evidence", "type"]));
    panel.appendChild(evidenceList(e.evidence));
    panel.setAttribute("data-shown", e.key);
  }
  svg.addEventListener("click", function () { highlight(null, null); });

  // ---------------------------------------------------------------- search
  var input = document.getElementById("search");
  var status = document.getElementById("search-status");
  var folded = nodes.map(function (n) { return fold([n.label].concat(n.names || []).join(" | ")); });
  function search(query) {
    var q = fold(query).trim();
    var matches = [];
    circles.forEach(function (c, i) {
      var hit = q !== "" && folded[i].indexOf(q) >= 0;
      c.classList.toggle("match", hit);
      if (!showAllLabels) { labels[i].setAttribute("visibility", hit ? "visible" : "hidden"); }
      labels[i].classList.toggle("match", hit);
      if (hit) { matches.push(i); }
    });
    status.textContent = q === "" ? "" : matches.length + " match" + (matches.length === 1 ? "" : "es");
    document.body.setAttribute("data-matches", String(matches.length));
    return matches;
  }
  input.addEventListener("input", function () { search(input.value); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var m = search(input.value);
      if (m.length) { showNode(m[0]); }
    }
  });

  // ---------------------------------------------------------------- pan and zoom
  function applyView() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var rect = svg.getBoundingClientRect();
    var fx = (ev.clientX - rect.left) / rect.width, fy = (ev.clientY - rect.top) / rect.height;
    var scale = ev.deltaY < 0 ? 0.8 : 1.25;
    var nw = view.w * scale, nh = view.h * scale;
    view.x += (view.w - nw) * fx; view.y += (view.h - nh) * fy; view.w = nw; view.h = nh;
    applyView();
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY }; });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) { return; }
    var rect = svg.getBoundingClientRect();
    view.x -= (ev.clientX - drag.x) * view.w / rect.width;
    view.y -= (ev.clientY - drag.y) * view.h / rect.height;
    drag = { x: ev.clientX, y: ev.clientY };
    applyView();
  });

  // ---------------------------------------------------------------- start
  var hash = window.location.hash.replace(/^#/, "");
  hash.split("&").forEach(function (part) {
    var kv = part.split("=");
    if (kv[0] === "q" && kv.length > 1) {
      try { input.value = decodeURIComponent(kv.slice(1).join("=").replace(/\+/g, " ")); }
      catch (err) { input.value = ""; }
    }
  });
  var initial = search(input.value);
  if (initial.length) { showNode(initial[0]); }
  document.body.setAttribute("data-nodes", String(circles.length));
  document.body.setAttribute("data-edges", String(lines.length));
  document.body.setAttribute("data-ready", "1");
}());
