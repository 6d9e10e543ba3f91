// policykg subgraph viewer. Written for policykg; no third-party code.
// Reads the graph from <script id="graph-data" type="application/json">: the view's nodes (with
// positions computed in Python) and one more ring of neighbours, hidden until a click expands
// them. Draws it as SVG: facts between the same two nodes apart on curves, large groups of alike
// nodes and of parallel facts collapsed, filters by type, source and time. Every text from the
// data goes into the page through textContent or setAttribute, never as markup.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = data.nodes, edges = data.edges;
  //: More alike nodes than this (same type, same neighbours) are drawn as one group.
  var GROUP_LIMIT = 6;
  //: More facts than this between two nodes are drawn as one thick line with their count.
  var PARALLEL_LIMIT = 4;
  //: Relationship labels are drawn while there are at most this many lines.
  var EDGE_LABEL_LIMIT = 300;
  var sourcesByKey = {};
  (data.sources || []).forEach(function (s) { sourcesByKey[s.key] = s; });
  var adjacency = nodes.map(function () { return []; });
  edges.forEach(function (e, i) {
    adjacency[e.s].push(i);
    if (e.t !== e.s) { adjacency[e.t].push(i); }
  });

  function el(name, attrs, text) {
    var e = document.createElement(name);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function svgEl(name, attrs, text) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // ---------------------------------------------------------------- state
  var state = {
    open: nodes.map(function (n) { return !!n.shown; }),   // drawn unless filtered
    hiddenTypes: {}, hiddenSources: {},
    from: null, to: null,                                     // ISO dates of the time window
    openGroups: {}, openPairs: {},                            // collapsed groups the user opened
    selected: null                                            // {kind: "node"|"edge"|..., id}
  };
  var initialOpen = state.open.slice();
  var placed = nodes.map(function (n) { return n.x !== null && n.x !== undefined; });

  // ---------------------------------------------------------------- frame
  var svg = document.getElementById("canvas");
  var defs = svgEl("defs");
  var marker = svgEl("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
                                 markerWidth: "7", markerHeight: "7", markerUnits: "userSpaceOnUse",
                                 orient: "auto-start-reverse" });
  marker.appendChild(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z", "class": "arrowhead" }));
  defs.appendChild(marker);
  svg.appendChild(defs);
  var viewport = svgEl("g", { id: "viewport" });
  var edgeLayer = svgEl("g", { "class": "edges" });
  var edgeLabelLayer = svgEl("g", { "class": "edge-labels" });
  var nodeLayer = svgEl("g", { "class": "nodes" });
  var labelLayer = svgEl("g", { "class": "labels" });
  [edgeLayer, nodeLayer, edgeLabelLayer, labelLayer].forEach(function (g) {
    viewport.appendChild(g);
  });
  svg.appendChild(viewport);
  var view = { x: 0, y: 0, w: data.width, h: data.height };
  function applyView() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
  function fit() {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    nodes.forEach(function (n, i) {
      if (!state.open[i] || !placed[i]) { return; }
      b = [Math.min(b[0], n.x), Math.min(b[1], n.y), Math.max(b[2], n.x), Math.max(b[3], n.y)];
    });
    if (b[0] === Infinity) { b = [0, 0, data.width, data.height]; }
    var margin = 40;
    view = { x: b[0] - margin, y: b[1] - margin, w: Math.max(b[2] - b[0], 100) + 2 * margin + 160,
             h: Math.max(b[3] - b[1], 100) + 2 * margin };
    applyView();
  }

  // ---------------------------------------------------------------- controls
  var legend = document.getElementById("legend");
  (data.types || []).forEach(function (t) {
    var item = el("li", { "class": "legend-item" });
    var label = el("label");
    var box = el("input", { type: "checkbox", "class": "type-filter", "data-type": t.type });
    box.checked = true;
    box.addEventListener("change", function () {
      if (box.checked) { delete state.hiddenTypes[t.type]; } else { state.hiddenTypes[t.type] = 1; }
      render();
    });
    var swatch = el("span", { "class": "swatch" });
    swatch.style.backgroundColor = t.colour;
    label.appendChild(box); label.appendChild(swatch);
    label.appendChild(el("span", null, t.type + " (" + t.count + ")"));
    item.appendChild(label);
    legend.appendChild(item);
  });
  var sourceList = document.getElementById("source-filters");
  var sourceKeys = {};
  nodes.forEach(function (n) { (n.sources || []).forEach(function (k) { sourceKeys[k] = 1; }); });
  edges.forEach(function (e) { (e.sources || []).forEach(function (k) { sourceKeys[k] = 1; }); });
  Object.keys(sourceKeys).sort().forEach(function (key) {
    var src = sourcesByKey[key];
    var label = el("label", { title: src && src.title ? src.title : key });
    var box = el("input", { type: "checkbox", "class": "source-filter", "data-source": key });
    box.checked = true;
    box.addEventListener("change", function () {
      if (box.checked) { delete state.hiddenSources[key]; } else { state.hiddenSources[key] = 1; }
      render();
    });
    label.appendChild(box);
    label.appendChild(el("span", null, key));
    sourceList.appendChild(el("li")).appendChild(label);
  });

  // The time slider: two thumbs over the distinct dates of the facts.
  var dateSet = {};
  edges.forEach(function (e) {
    if (e.start) { dateSet[e.start] = 1; }
    if (e.end) { dateSet[e.end] = 1; }
  });
  var dates = Object.keys(dateSet).sort();
  var timeBox = document.getElementById("time");
  var fromInput = document.getElementById("time-from");
  var toInput = document.getElementById("time-to");
  var timeLabel = document.getElementById("time-label");
  if (dates.length) {
    [fromInput, toInput].forEach(function (input) {
      input.min = "0"; input.max = String(dates.length - 1); input.step = "1";
    });
    fromInput.value = "0"; toInput.value = String(dates.length - 1);
    var onTime = function (moved) {
      var a = Number(fromInput.value), b = Number(toInput.value);
      if (a > b) { if (moved === fromInput) { toInput.value = String(a); } else { fromInput.value = String(b); } }
      state.from = dates[Number(fromInput.value)];
      state.to = dates[Number(toInput.value)];
      render();
    };
    fromInput.addEventListener("input", function () { onTime(fromInput); });
    toInput.addEventListener("input", function () { onTime(toInput); });
    state.from = dates[0]; state.to = dates[dates.length - 1];
  } else {
    timeBox.setAttribute("hidden", "");
  }
  document.getElementById("reset").addEventListener("click", function () {
    state.open = initialOpen.slice();
    state.hiddenTypes = {}; state.hiddenSources = {}; state.openGroups = {}; state.openPairs = {};
    Array.prototype.forEach.call(document.querySelectorAll(".type-filter, .source-filter"),
                                 function (b) { b.checked = true; });
    if (dates.length) {
      fromInput.value = "0"; toInput.value = String(dates.length - 1);
      state.from = dates[0]; state.to = dates[dates.length - 1];
    }
    render(); fit();
  });

  // ---------------------------------------------------------------- what is drawn
  function sourcesOk(keys) {
    if (!keys || !keys.length) { return true; }
    return keys.some(function (k) { return !state.hiddenSources[k]; });
  }
  function inWindow(e) {
    if (!e.start && !e.end) { return true; }          // undated facts are not filtered by time
    if (state.from === null) { return true; }
    var start = e.start || e.end, end = e.end || e.start;
    return end >= state.from && start <= state.to;
  }
  // The drawn graph: visible nodes, visible facts, then groups. Returns
  // {items: [{id, members: [node indices], x, y, r, group}], itemOf: node -> item index,
  //  pairs: [{a, b, facts: [edge indices]}]}.
  function visibleGraph() {
    var visible = nodes.map(function (n, i) {
      return state.open[i] && !state.hiddenTypes[n.type] && sourcesOk(n.sources);
    });
    var factOk = edges.map(function (e) {
      return visible[e.s] && visible[e.t] && sourcesOk(e.sources) && inWindow(e);
    });
    // Nodes that only the filters cut off go too (as the command line does), unless selected.
    nodes.forEach(function (n, i) {
      if (!visible[i] || (state.selected && state.selected.node === i)) { return; }
      var had = false, kept = false;
      adjacency[i].forEach(function (ei) {
        var e = edges[ei];
        if (visible[e.s] && visible[e.t]) { had = true; if (factOk[ei]) { kept = true; } }
      });
      if (had && !kept) { visible[i] = false; }
    });
    // Groups: alike nodes (the same type and the same drawn neighbours through the same kinds
    // of relationship) beyond GROUP_LIMIT become one.
    var signature = {};
    nodes.forEach(function (n, i) {
      if (!visible[i] || (state.selected && state.selected.node === i)) { return; }
      var parts = [];
      adjacency[i].forEach(function (ei) {
        if (!factOk[ei]) { return; }
        var e = edges[ei];
        if (!visible[e.s] || !visible[e.t]) { return; }
        parts.push((e.s === i ? ">" : "<") + e.type + ":" + (e.s === i ? e.t : e.s));
      });
      if (!parts.length) { return; }
      parts = parts.filter(function (p, k) { return parts.indexOf(p) === k; }).sort();
      var key = n.type + "|" + parts.join(",");
      (signature[key] = signature[key] || []).push(i);
    });
    var groupOf = {};
    Object.keys(signature).forEach(function (key) {
      var members = signature[key];
      if (members.length > GROUP_LIMIT && !state.openGroups[key]) {
        members.forEach(function (i) { groupOf[i] = key; });
      }
    });
    var items = [], itemOf = {}, groupItem = {};
    nodes.forEach(function (n, i) {
      if (!visible[i]) { return; }
      var g = groupOf[i];
      if (g === undefined) {
        itemOf[i] = items.length;
        items.push({ id: n.id, members: [i], group: null });
      } else {
        if (groupItem[g] === undefined) {
          groupItem[g] = items.length;
          items.push({ id: "group:" + g, members: [], group: g });
        }
        items[groupItem[g]].members.push(i);
        itemOf[i] = groupItem[g];
      }
    });
    items.forEach(function (item) {
      var xs = 0, ys = 0;
      item.members.forEach(function (i) { xs += nodes[i].x; ys += nodes[i].y; });
      item.x = xs / item.members.length; item.y = ys / item.members.length;
      item.r = item.group === null ? nodes[item.members[0]].r
        : Math.min(8 + Math.sqrt(item.members.length) * 2, 30);
    });
    var pairIndex = {}, pairs = [];
    edges.forEach(function (e, ei) {
      if (!factOk[ei] || !visible[e.s] || !visible[e.t]) { return; }
      var a = itemOf[e.s], b = itemOf[e.t];
      var key = a < b ? a + "-" + b : b + "-" + a;
      if (pairIndex[key] === undefined) {
        pairIndex[key] = pairs.length;
        pairs.push({ key: key, a: Math.min(a, b), b: Math.max(a, b), facts: [] });
      }
      pairs[pairIndex[key]].facts.push(ei);
    });
    return { items: items, itemOf: itemOf, pairs: pairs };
  }

  // ---------------------------------------------------------------- drawing
  var drawn = null;
  function shortened(p, q, c, rp, rq) {
    // The curve from p to q bent through control point c, cut back at both circles so the
    // arrowhead sits on the target's rim, not under it.
    function back(from, toward, r) {
      var dx = toward.x - from.x, dy = toward.y - from.y;
      var d = Math.sqrt(dx * dx + dy * dy) || 1;
      return { x: from.x + dx / d * r, y: from.y + dy / d * r };
    }
    return { p: back(p, c, rp + 1), q: back(q, c, rq + 2) };
  }
  function render() {
    drawn = visibleGraph();
    [edgeLayer, edgeLabelLayer, nodeLayer, labelLayer].forEach(clear);
    var items = drawn.items;
    var lines = 0, facts = 0, paths = [];
    drawn.pairs.forEach(function (pair) {
      var collapsed = pair.facts.length > PARALLEL_LIMIT && !state.openPairs[pair.key];
      var strands = collapsed ? [pair.facts] : pair.facts.map(function (f) { return [f]; });
      strands.forEach(function (strand, k) {
        var e = edges[strand[0]];
        var from = items[drawn.itemOf[e.s]], to = items[drawn.itemOf[e.t]];
        var offset = (k - (strands.length - 1) / 2) * 18;
        paths.push({ strand: strand, from: from, to: to, offset: offset, pair: pair,
                     collapsed: collapsed });
      });
    });
    var labelEdges = paths.length <= EDGE_LABEL_LIMIT;
    paths.forEach(function (p) {
      var from = p.from, to = p.to;
      // The bend is measured against the pair's own direction (a to b), so facts in opposite
      // directions between the same two nodes still lie on different sides.
      var a = items[p.pair.a], b = items[p.pair.b];
      var dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 1;
      var mx = (from.x + to.x) / 2 - dy / d * p.offset * 2;
      var my = (from.y + to.y) / 2 + dx / d * p.offset * 2;
      var self = from === to;
      var pathText, labelAt;
      if (self) {
        var r = from.r;
        pathText = "M " + (from.x + r) + " " + from.y + " C " + (from.x + r + 40) + " " +
          (from.y - 40 - p.offset) + " " + (from.x - 10) + " " + (from.y - r - 40 - p.offset) +
          " " + from.x + " " + (from.y - r - 2);
        labelAt = { x: from.x + 24, y: from.y - r - 30 - p.offset };
      } else {
        var cut = shortened(from, to, { x: mx, y: my }, from.r, to.r);
        pathText = "M " + cut.p.x + " " + cut.p.y + " Q " + mx + " " + my + " " + cut.q.x + " " +
          cut.q.y;
        labelAt = { x: (from.x + to.x) / 4 + mx / 2, y: (from.y + to.y) / 4 + my / 2 };
      }
      var e = edges[p.strand[0]];
      var types = {};
      p.strand.forEach(function (ei) { types[edges[ei].type] = (types[edges[ei].type] || 0) + 1; });
      var typeNames = Object.keys(types).sort();
      var text = p.collapsed ? (typeNames.length === 1 ? typeNames[0] : "facts") + " ×" +
        p.strand.length : e.type;
      var line = svgEl("path", { d: pathText, "class": "edge" + (p.collapsed ? " collapsed" : ""),
                                 "data-facts": p.strand.length, "data-type": p.collapsed ?
                                 typeNames.join(" ") : e.type, "marker-end": "url(#arrow)" });
      if (p.collapsed) {
        line.setAttribute("data-pair", p.pair.key);
        line.style.strokeWidth = String(Math.min(1.5 + Math.sqrt(p.strand.length), 8));
      } else {
        line.setAttribute("data-key", e.key);
      }
      line.setAttribute("data-from", from.id);
      line.setAttribute("data-to", to.id);
      if (state.selected && ((state.selected.edge === p.strand[0] && !p.collapsed) ||
                             state.selected.pair === p.pair.key)) {
        line.classList.add("selected");
      }
      var tip = p.collapsed ? plural(p.strand.length, "fact") + " between " +
        nameOf(p.pair.a) + " and " + nameOf(p.pair.b) + ": " + typeNames.map(function (t) {
          return t + " " + types[t];
        }).join(", ") : nodes[e.s].label + " " + e.type + " " + nodes[e.t].label;
      line.appendChild(svgEl("title", null, tip));
      line.addEventListener("click", function (ev) {
        ev.stopPropagation();
        if (p.collapsed) { showPair(p.pair); } else { showEdge(p.strand[0]); }
      });
      edgeLayer.appendChild(line);
      lines += 1; facts += p.strand.length;
      if (labelEdges || p.collapsed) {
        var label = svgEl("text", { x: labelAt.x, y: labelAt.y, "class": "edge-label" +
          (p.collapsed ? " count" : ""), "text-anchor": "middle" }, text);
        edgeLabelLayer.appendChild(label);
      }
    });
    // A count beside pairs drawn apart, so "three facts" reads at a glance.
    drawn.pairs.forEach(function (pair) {
      if (pair.facts.length < 2 || !(pair.facts.length <= PARALLEL_LIMIT ||
                                     state.openPairs[pair.key])) { return; }
      var a = items[pair.a], b = items[pair.b];
      var dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy) || 1;
      var spread = (pair.facts.length + 1) / 2 * 18 + 6;
      var badge = svgEl("text", { x: (a.x + b.x) / 2 + dy / d * spread,
                                  y: (a.y + b.y) / 2 - dx / d * spread, "class": "pair-count",
                                  "data-pair": pair.key, "text-anchor": "middle" },
                        "×" + pair.facts.length);
      edgeLabelLayer.appendChild(badge);
    });
    var showLabels = items.length <= data.labelLimit;
    var circles = 0;
    items.forEach(function (item) {
      var first = nodes[item.members[0]];
      var isGroup = item.group !== null;
      var c = svgEl("circle", { cx: item.x, cy: item.y, r: item.r, fill: first.colour,
                                "class": "node" + (isGroup ? " group" : ""),
                                "data-id": item.id, "data-type": first.type });
      if (isGroup) { c.setAttribute("data-count", item.members.length); }
      else { c.setAttribute("data-index", item.members[0]); }
      if (matches[item.members[0]]) { c.classList.add("match"); }
      if (state.selected && !isGroup && state.selected.node === item.members[0]) {
        c.classList.add("selected");
      }
      var title = isGroup ? item.members.length + " " + first.type + " (click to open)"
        : first.label + " (" + first.type + ")";
      c.appendChild(svgEl("title", null, title));
      c.addEventListener("click", function (ev) {
        ev.stopPropagation();
        if (isGroup) { showGroup(item); } else { selectNode(item.members[0], true); }
      });
      nodeLayer.appendChild(c);
      circles += 1;
      var text = isGroup ? item.members.length + " × " + first.type : first.label;
      var t = svgEl("text", { x: item.x + item.r + 2, y: item.y + 4,
                              "class": "label" + (isGroup ? " group-label" : "") }, text);
      if (!isGroup && matches[item.members[0]]) { t.classList.add("match"); }
      if (!showLabels && !isGroup && !matches[item.members[0]]) {
        t.setAttribute("visibility", "hidden");
      }
      labelLayer.appendChild(t);
    });
    var body = document.body;
    body.setAttribute("data-nodes", String(circles));
    body.setAttribute("data-lines", String(lines));
    body.setAttribute("data-facts", String(facts));
    body.setAttribute("data-window", state.from === null ? "" : state.from + "/" + state.to);
    document.getElementById("summary").textContent = plural(circles, "node") + ", " +
      plural(facts, "fact") + " drawn of " + nodes.length + " nodes and " + edges.length +
      " facts embedded" + (data.truncated ? " (truncated)" : "");
    if (state.from !== null) { timeLabel.textContent = state.from + " – " + state.to; }
  }
  function nameOf(itemIndex) {
    var item = drawn.items[itemIndex];
    return item.group === null ? nodes[item.members[0]].label
      : item.members.length + " × " + nodes[item.members[0]].type;
  }

  // ---------------------------------------------------------------- expanding
  function expand(i) {
    // Opens the embedded neighbours of node i, placed on a ring around it.
    var fresh = [];
    adjacency[i].forEach(function (ei) {
      var e = edges[ei];
      var other = e.s === i ? e.t : e.s;
      if (!state.open[other] && fresh.indexOf(other) < 0) { fresh.push(other); }
    });
    var n = nodes[i];
    var unplaced = fresh.filter(function (o) { return !placed[o]; });
    var radius = Math.max(70, unplaced.length * 14 / (2 * Math.PI));
    unplaced.forEach(function (o, k) {
      var angle = 2 * Math.PI * k / unplaced.length + 0.3;
      nodes[o].x = Math.round((n.x + Math.cos(angle) * radius) * 100) / 100;
      nodes[o].y = Math.round((n.y + Math.sin(angle) * radius) * 100) / 100;
      placed[o] = true;
    });
    fresh.forEach(function (o) { state.open[o] = true; });
    return fresh.length;
  }

  function openNode(i) {
    // Opens one embedded node beside a drawn neighbour (it has one: the ring is one step out).
    if (!placed[i]) {
      var anchor = null;
      adjacency[i].forEach(function (ei) {
        var e = edges[ei], other = e.s === i ? e.t : e.s;
        if (anchor === null && state.open[other] && placed[other]) { anchor = other; }
      });
      var a = anchor === null ? { x: view.x + view.w / 2, y: view.y + view.h / 2 } : nodes[anchor];
      nodes[i].x = a.x + 60; nodes[i].y = a.y - 40;
      placed[i] = true;
    }
    state.open[i] = true;
  }

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
  function sourceLink(key) {
    // The source document: its title, and a link only to a web address (never a script URL).
    var src = sourcesByKey[key];
    var wrap = el("div", { "class": "source" });
    wrap.appendChild(el("strong", null, src && src.title ? src.title : (key || "unknown source")));
    var bits = [];
    if (src && src.publisher) { bits.push(src.publisher); }
    if (src && src.date) { bits.push(src.date); }
    if (key) { bits.push(key); }
    wrap.appendChild(el("div", { "class": "meta" }, bits.join(" · ")));
    if (src && src.url && /^https?:\/\//i.test(src.url)) {
      var a = el("a", { href: src.url, "class": "source-link", rel: "noopener noreferrer",
                        target: "_blank" }, src.url);
      wrap.appendChild(a);
    }
    return wrap;
  }
  function evidenceList(items) {
    var wrap = el("div", { "class": "evidence" });
    wrap.appendChild(el("h3", null, "Evidence"));
    if (!items || !items.length) { wrap.appendChild(el("p", null, "none recorded")); return wrap; }
    var ul = el("ul");
    items.forEach(function (ev) {
      var li = el("li", { "class": "evidence-item" });
      li.appendChild(sourceLink(ev.source));
      var bits = [];
      if (ev.record) { bits.push("record " + ev.record); }
      if (ev.charStart !== undefined) { bits.push("chars " + ev.charStart + "–" + ev.charEnd); }
      if (ev.extractor) { bits.push("extractor " + ev.extractor); }
      if (ev.confidence !== undefined) { bits.push("confidence " + ev.confidence); }
      if (bits.length) { li.appendChild(el("div", { "class": "meta span" }, bits.join(" · "))); }
      if (ev.quote) { li.appendChild(el("blockquote", null, ev.quote)); }
      ul.appendChild(li);
    });
    wrap.appendChild(ul);
    return wrap;
  }
  function sourcesBlock(keys, evidence) {
    // The sources stating it that its evidence does not already name.
    var named = (evidence || []).map(function (ev) { return ev.source; });
    var rest = (keys || []).filter(function (k) { return named.indexOf(k) < 0; });
    var wrap = el("div", { "class": "sources" });
    if (!rest.length) { return wrap; }
    wrap.appendChild(el("h3", null, named.length ? "Other sources" : "Sources"));
    rest.forEach(function (k) { wrap.appendChild(sourceLink(k)); });
    return wrap;
  }
  function propsTable(props, skip) {
    var table = el("table");
    Object.keys(props).sort().forEach(function (k) {
      if (skip.indexOf(k) < 0) { addRow(table, k, props[k]); }
    });
    return table;
  }
  function factButton(ei, from) {
    var e = edges[ei];
    var other = from === undefined ? null : (e.s === from ? e.t : e.s);
    var when = e.start ? " (" + e.start + (e.end && e.end !== e.start ? " – " + e.end : "") + ")" : "";
    var text = other === null ? nodes[e.s].label + " " + e.type + " " + nodes[e.t].label + when
      : (e.s === from ? "→ " : "← ") + e.type + " " + nodes[other].label + when;
    var button = el("button", { type: "button", "class": "link fact", "data-key": e.key }, text);
    button.addEventListener("click", function () { showEdge(ei); });
    return button;
  }
  function selectNode(i, expanding) {
    state.selected = { node: i };
    var added = expanding ? expand(i) : 0;
    render();
    if (added) { fit(); }
    var n = nodes[i];
    clear(panel);
    panel.appendChild(el("h2", null, n.label));
    panel.appendChild(el("div", { "class": "type" }, n.type));
    panel.appendChild(el("div", { "class": "uri" }, n.uri));
    if (added) {
      panel.appendChild(el("p", { "class": "expanded" }, plural(added, "neighbour") + " opened"));
    }
    if (n.omitted) {
      panel.appendChild(el("p", { "class": "omitted" }, plural(n.omitted, "more neighbour") +
        " not in this file (export with a larger --max-degree or around this node)"));
    }
    panel.appendChild(propsTable(n.props, ["label", "uri", "type", "types"]));
    panel.appendChild(sourcesBlock(n.sources, n.evidence));
    panel.appendChild(evidenceList(n.evidence));
    var rel = el("div", { "class": "relations" });
    rel.appendChild(el("h3", null, "Relationships (" + adjacency[i].length + ")"));
    var ul = el("ul");
    adjacency[i].slice(0, 300).forEach(function (ei) {
      ul.appendChild(el("li")).appendChild(factButton(ei, i));
    });
    rel.appendChild(ul);
    panel.appendChild(rel);
    panel.setAttribute("data-shown", n.id);
  }
  function showEdge(i) {
    var e = edges[i];
    state.selected = { edge: i };
    render();
    clear(panel);
    panel.appendChild(el("h2", null, e.type));
    var ends = el("div", { "class": "ends" });
    [e.s, e.t].forEach(function (ni, k) {
      var b = el("button", { type: "button", "class": "link" }, nodes[ni].label);
      b.addEventListener("click", function () { selectNode(ni, false); });
      if (k === 1) { ends.appendChild(el("span", null, " → ")); }
      ends.appendChild(b);
    });
    panel.appendChild(ends);
    panel.appendChild(propsTable(e.props, ["type"]));
    panel.appendChild(evidenceList(e.evidence));
    panel.appendChild(sourcesBlock(e.sources, e.evidence));
    panel.setAttribute("data-shown", e.key);
  }
  function showPair(pair) {
    state.selected = { pair: pair.key };
    render();
    clear(panel);
    panel.appendChild(el("h2", null, plural(pair.facts.length, "fact")));
    panel.appendChild(el("div", { "class": "ends" }, nameOf(pair.a) + " — " + nameOf(pair.b)));
    var apart = el("button", { type: "button", "class": "open-pair" }, "Draw them apart");
    apart.addEventListener("click", function () { state.openPairs[pair.key] = 1; render(); });
    panel.appendChild(apart);
    var ul = el("ul");
    pair.facts.forEach(function (ei) { ul.appendChild(el("li")).appendChild(factButton(ei)); });
    panel.appendChild(ul);
    panel.setAttribute("data-shown", "pair:" + pair.key);
  }
  function showGroup(item) {
    state.openGroups[item.group] = 1;
    state.selected = null;
    render();
    clear(panel);
    var first = nodes[item.members[0]];
    panel.appendChild(el("h2", null, item.members.length + " × " + first.type));
    panel.appendChild(el("p", null, "Opened: each is drawn on its own."));
    var ul = el("ul");
    item.members.slice(0, 300).forEach(function (i) {
      var b = el("button", { type: "button", "class": "link" }, nodes[i].label);
      b.addEventListener("click", function () { selectNode(i, false); });
      ul.appendChild(el("li")).appendChild(b);
    });
    panel.appendChild(ul);
    panel.setAttribute("data-shown", "group");
  }
  svg.addEventListener("click", function () {
    if (state.selected) { state.selected = null; render(); }
  });

  // ---------------------------------------------------------------- search
  var input = document.getElementById("search");
  var status = document.getElementById("search-status");
  var folded = nodes.map(function (n) { return fold([n.label].concat(n.names || []).join(" | ")); });
  var matches = {};
  function search(query) {
    var q = fold(query).trim();
    var found = [];
    matches = {};
    nodes.forEach(function (n, i) {
      if (q !== "" && folded[i].indexOf(q) >= 0) { matches[i] = 1; found.push(i); }
    });
    // Drawn matches first; a match among the embedded neighbours is opened by Enter.
    found.sort(function (a, b) { return (state.open[b] ? 1 : 0) - (state.open[a] ? 1 : 0) || a - b; });
    var closed = found.filter(function (i) { return !state.open[i]; }).length;
    status.textContent = q === "" ? "" : found.length + " match" + (found.length === 1 ? "" : "es") +
      (closed ? " (" + closed + " not drawn yet: Enter opens one)" : "");
    document.body.setAttribute("data-matches", String(found.length));
    render();
    return found;
  }
  input.addEventListener("input", function () { search(input.value); });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var m = search(input.value);
      if (m.length) {
        if (!state.open[m[0]]) { openNode(m[0]); fit(); }
        selectNode(m[0], false);
      }
    }
  });

  // ---------------------------------------------------------------- pan and zoom
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
  fit();
  var hash = window.location.hash.replace(/^#/, "");
  hash.split("&").forEach(function (part) {
    var kv = part.split("=");
    if (kv[0] === "q" && kv.length > 1) {
      try { input.value = decodeURIComponent(kv.slice(1).join("=").replace(/\+/g, " ")); }
      catch (err) { input.value = ""; }
    }
  });
  var initial = search(input.value);
  if (initial.length) {
    if (!state.open[initial[0]]) { openNode(initial[0]); fit(); }
    selectNode(initial[0], false);
  }
  document.body.setAttribute("data-ready", "1");
}());
