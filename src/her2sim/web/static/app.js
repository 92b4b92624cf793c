// her2sim workbench front end: vanilla JS over the JSON API. No science here: every number shown
// comes from the server (which calls her2sim's public API); this file draws and formats.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { catalogue: null, pathway: null, model: null, modelTable: "parameters", atlas: null };
const PAGES = ["tumour", "dose", "combination", "atlas", "logical", "model", "trials", "jobs"];
const POLL_MS = 400;

// ------------------------------------------------------------------ helpers
async function api(path, options = {}) {
  const opts = Object.assign({ headers: {} }, options);
  if (opts.json !== undefined) {
    opts.method = opts.method || "POST";
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(opts.json);
    delete opts.json;
  }
  const response = await fetch(path, opts);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    throw new Error(formatDetail(body && body.detail !== undefined ? body.detail : response.statusText));
  }
  return body;
}

function formatDetail(detail) {
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc || []).slice(1).join(".") || "request"}: ${d.msg}`).join("; ");
  }
  return String(detail);
}

function showError(id, message) {
  const el = $(id);
  if (!el) return;
  el.textContent = message ? `Error: ${message}` : "";
  el.hidden = !message;
}

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of [].concat(children)) node.append(c);
  return node;
}

function fmt(v) {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") {
    if (!isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return (a !== 0 && (a < 1e-3 || a >= 1e5)) ? v.toExponential(3) : v.toPrecision(4).replace(/\.?0+$/, "");
  }
  return String(v);
}

function table(containerId, rows, columns, { onClick = null, limit = 500 } = {}) {
  const box = $(containerId);
  box.innerHTML = "";
  if (!rows || rows.length === 0) { box.append(el("p", { class: "muted", text: "no rows" })); return; }
  const cols = columns || Object.keys(rows[0]);
  const t = el("table");
  t.append(el("thead", {}, el("tr", {}, cols.map((c) => el("th", { text: c })))));
  const body = el("tbody");
  for (const row of rows.slice(0, limit)) {
    const tr = el("tr", {}, cols.map((c) => el("td", { text: fmt(row[c]) })));
    if (onClick) { tr.classList.add("clickable"); tr.addEventListener("click", () => onClick(row)); }
    body.append(tr);
  }
  t.append(body);
  box.append(t);
  if (rows.length > limit) box.append(el("p", { class: "muted", text: `${rows.length - limit} more rows in the download` }));
}

function splitList(text) { return text.split(",").map((s) => s.trim()).filter((s) => s.length > 0); }

// plotly.min.js (from the installed plotly package, served by this server) is loaded after the
// first page is ready, so the first page does not wait for 4.8 MB of script.
let plotlyPromise = null;
function loadPlotly() {
  if (!plotlyPromise) {
    plotlyPromise = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/vendor/plotly.min.js";
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => reject(new Error("could not load /vendor/plotly.min.js"));
      document.head.append(script);
    });
  }
  return plotlyPromise;
}

async function plot(id, traces, layout) {
  const base = { margin: { l: 60, r: 20, t: 40, b: 50 }, font: { size: 11 }, legend: { orientation: "h", y: -0.25 } };
  const Plotly = await loadPlotly();
  return Plotly.newPlot($(id), traces, Object.assign(base, layout), { responsive: true, displaylogo: false });
}

// ------------------------------------------------------------------ jobs (progress survives reloads)
const jobStoreKey = (page, slot) => `her2sim.job.${page}.${slot}`;

// A job id is kept in localStorage and in the page's URL (#page?slot=<id>), so a reload resumes it.
function rememberJob(page, slot, jobId) {
  localStorage.setItem(jobStoreKey(page, slot), jobId);
  const [hashPage, query] = location.hash.slice(1).split("?");
  if ((hashPage || "tumour") !== page) return;
  const params = new URLSearchParams(query || "");
  params.set(slot, jobId);
  history.replaceState(null, "", `#${page}?${params.toString()}`);
}

async function runJob(page, slot, path, options, onDone, errorId) {
  showError(errorId, "");
  let job;
  try { job = await api(path, options); } catch (e) { showError(errorId, e.message); return; }
  rememberJob(page, slot, job.id);
  followJob(job.id, `${slot}-job`, onDone, errorId);
}

async function followJob(jobId, boxId, onDone, errorId) {
  const box = $(boxId);
  box.innerHTML = "";
  const bar = el("progress", { max: "1", value: "0" });
  const label = el("span", { class: "muted" });
  const cancel = el("button", { type: "button", class: "small", text: "Cancel" });
  const panel = el("div", { class: "job", "data-job": jobId }, [bar, " ", label, " ", cancel]);
  box.append(panel);
  cancel.addEventListener("click", async () => { try { await api(`/api/jobs/${jobId}`, { method: "DELETE" }); } catch (e) { /* shown by the poll */ } });
  for (;;) {
    let job;
    try { job = await api(`/api/jobs/${jobId}`); } catch (e) { label.textContent = e.message; cancel.remove(); return; }
    bar.value = job.progress;
    label.textContent = `${job.kind}: ${job.state} — ${job.message}`;
    if (job.state !== "done") panel.dataset.state = job.state;  // "done" is set once the result is drawn
    if (job.state === "done") {
      cancel.remove();
      try { await onDone(job.result, job); } catch (e) { showError(errorId, `could not show the result: ${e.message}`); }
      panel.dataset.state = "done";
      let footer = renderJobFooter(box, job);
      while (job.files_pending) {  // figures (PNG/SVG downloads) are written after the result is shown
        await new Promise((r) => setTimeout(r, POLL_MS));
        try { job = await api(`/api/jobs/${jobId}`); } catch (e) { break; }
        label.textContent = `${job.kind}: ${job.state} — ${job.message}`;
        const next = renderJobFooter(box, job);
        footer.replaceWith(next);
        footer = next;
        refreshImages(job);
      }
      refreshImages(job);
      panel.dataset.files = "complete";
      return;
    }
    if (job.state === "failed" || job.state === "cancelled") {
      cancel.remove();
      if (job.state === "failed") showError(errorId, job.error);
      renderJobFooter(box, job);
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

// <img data-file="name"> shows a job's figure once the file exists.
function refreshImages(job) {
  for (const img of document.querySelectorAll(`img[data-job="${job.id}"]`)) {
    if (!img.getAttribute("src") && job.files.includes(img.dataset.file)) {
      img.src = `/api/jobs/${job.id}/files/${encodeURIComponent(img.dataset.file)}`;
    }
  }
}

function renderJobFooter(box, job) {
  const files = el("p", { class: "files" }, [el("strong", { text: "Downloads: " })]);
  for (const f of job.files) {
    files.append(el("a", { href: `/api/jobs/${job.id}/files/${encodeURIComponent(f)}`, text: f, target: "_blank" }), " ");
  }
  const details = el("details", {}, [
    el("summary", { text: "Reproduce (CLI command, parameters, versions)" }),
    el("pre", { class: "cli", text: job.cli }),
    el("pre", { text: JSON.stringify(job.provenance, null, 1) }),
  ]);
  const footer = el("div", { class: "job-footer" }, [files, details]);
  if (job.file_error) footer.append(el("p", { class: "muted", text: `A figure could not be drawn: ${job.file_error}` }));
  box.append(footer);
  return footer;
}

function resumeJob(page, slot, onDone, errorId) {
  const [hashPage, query] = location.hash.slice(1).split("?");
  const fromUrl = (hashPage || "tumour") === page && query ? new URLSearchParams(query).get(slot) : null;
  const id = fromUrl || localStorage.getItem(jobStoreKey(page, slot));
  if (id && /^[0-9a-f]{32}$/.test(id)) {
    api(`/api/jobs/${id}`).then(() => followJob(id, `${slot}-job`, onDone, errorId))
      .catch(() => localStorage.removeItem(jobStoreKey(page, slot)));
  }
}

// ------------------------------------------------------------------ routing
function route() {
  const [page] = location.hash.slice(1).split("?");
  const current = PAGES.includes(page) ? page : "tumour";
  for (const p of PAGES) $(`page-${p}`).hidden = p !== current;
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("on", a.dataset.page === current);
  if (current === "model") loadModel();
  if (current === "trials") loadTrials();
  if (current === "jobs") loadJobs();
}

// ------------------------------------------------------------------ tumour and therapy
function optionList(select, names, selected) {
  for (const n of names) {
    const o = el("option", { value: n, text: n });
    if (n === selected) o.selected = true;
    select.append(o);
  }
}

function addGenotypeRow(name = "", strength = 1) {
  const sel = el("select", { class: "g-name" });
  optionList(sel, state.catalogue.genotypes.map((g) => g.name), name);
  const str = el("input", { type: "number", class: "g-strength", value: String(strength), min: "0", max: "10", step: "0.1" });
  const rm = el("button", { type: "button", class: "small", text: "×" });
  const row = el("div", { class: "row" }, [sel, el("span", { text: " strength " }), str, rm]);
  rm.addEventListener("click", () => row.remove());
  $("tc-genotypes").append(row);
}

function addDrugRow(name = "trastuzumab", value = 10, unit = "ug/mL") {
  const drug = el("input", { class: "d-name", list: "drug-names", value: name });
  const dose = el("input", { type: "number", class: "d-value", value: String(value), min: "0", step: "any" });
  const u = el("select", { class: "d-unit" });
  optionList(u, state.catalogue.units, unit);
  const rm = el("button", { type: "button", class: "small", text: "×" });
  const row = el("div", { class: "row" }, [drug, dose, u, rm]);
  rm.addEventListener("click", () => row.remove());
  $("tc-drugs").append(row);
}

function tumourSpec() {
  const cell = $("tc-cell-line").value;
  const genotypes = {};
  for (const row of $("tc-genotypes").querySelectorAll(".row")) {
    genotypes[row.querySelector(".g-name").value] = Number(row.querySelector(".g-strength").value);
  }
  return cell ? { cell_line: cell } : { genotypes };
}

async function runTimeCourse(ev) {
  ev.preventDefault();
  showError("tc-error", "");
  const tumour = tumourSpec();
  if (document.querySelector("input[name=tc-mode]:checked").value === "regimen") {
    const regimens = [...$("tc-regimens").selectedOptions].map((o) => o.value);
    runJob("tumour", "tc", "/api/jobs/regimen", { json: { tumour, regimens, weeks: Number($("tc-weeks").value) } },
      showRegimen, "tc-error");
    return;
  }
  const drugs = {};
  for (const row of $("tc-drugs").querySelectorAll(".row")) {
    const name = row.querySelector(".d-name").value.trim();
    if (name) drugs[name] = { value: Number(row.querySelector(".d-value").value), unit: row.querySelector(".d-unit").value };
  }
  $("tc-run").disabled = true;
  try {
    const result = await api("/api/time-course", { json: { tumour, drugs, hours: Number($("tc-hours").value), points: 145 } });
    await showTimeCourse(result);
  } catch (e) {
    showError("tc-error", e.message);
  } finally {
    $("tc-run").disabled = false;
  }
}

async function showTimeCourse(r) {
  $("tc-result").hidden = false;
  $("tc-title").textContent = `${r.label}: treated (solid) and untreated (dashed)`;
  const box = $("tc-plots");
  box.innerHTML = "";
  for (const [key, s] of Object.entries(r.series)) {
    const div = el("div", { class: "plot small", id: `tc-plot-${key}`, "data-readout": key });
    box.append(div);
    await plot(div.id, [
      { x: r.time, y: s.treated, name: "treated", mode: "lines", line: { color: "#c0392b" } },
      { x: r.time, y: s.untreated, name: "untreated", mode: "lines", line: { color: "#7f8c8d", dash: "dash" } },
    ], { title: { text: s.name, font: { size: 13 } }, xaxis: { title: { text: "time [h]" } },
         yaxis: { title: { text: s.units || "" } }, showlegend: false, height: 260 });
  }
  drawPathway("tc-pathway", r.activity);
  $("tc-cli").textContent = r.cli;
  $("tc-prov").textContent = JSON.stringify(r.provenance, null, 1);
}

async function showRegimen(r) {
  $("tc-result").hidden = false;
  $("tc-title").textContent = `${r.context}: clinical regimen (PK-driven)`;
  const box = $("tc-plots");
  box.innerHTML = "";
  const entries = Object.entries(r.series).concat(Object.entries(r.pk).map(([k, v]) => [k, { name: `${k} free plasma`, values: v, units: "nM" }]));
  for (const [key, s] of entries) {
    const div = el("div", { class: "plot small", id: `tc-plot-${key.replace(/\W/g, "_")}` });
    box.append(div);
    await plot(div.id, [{ x: r.time, y: s.values, mode: "lines", line: { color: "#c0392b" } }],
      { title: { text: s.name, font: { size: 13 } }, xaxis: { title: { text: "time [h]" } },
        yaxis: { title: { text: s.units || "" } }, showlegend: false, height: 260 });
  }
  $("tc-pathway").innerHTML = "";
}

// Pathway picture: layout from the model's layers (server), drawn here as SVG.
function drawPathway(containerId, activity, nodeStates) {
  const p = state.pathway;
  const box = $(containerId);
  box.innerHTML = "";
  if (!p) return;
  const widest = Math.max(...Array.from({ length: p.layers }, (_, k) => p.nodes.filter((n) => n.layer === k)
    .reduce((sum, n) => sum + Math.max(44, n.id.length * 7 + 10) + 8, 0)));
  const W = Math.max(1100, widest + 40), rowH = 70, H = p.layers * rowH + 20;
  const NS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "pathway-svg");
  // each layer's nodes side by side in the server's order, spread over the width without overlap
  const pos = {};
  for (let k = 0; k < p.layers; k++) {
    const layer = p.nodes.filter((n) => n.layer === k).sort((a, b) => a.x - b.x);
    const widths = layer.map((n) => Math.max(44, n.id.length * 7 + 10));
    const gap = (W - 40 - widths.reduce((a, b) => a + b, 0)) / (layer.length + 1);
    let x = 20 + gap;
    layer.forEach((n, i) => { pos[n.id] = { x: x + widths[i] / 2, y: 30 + k * rowH }; x += widths[i] + gap; });
  }
  const defs = document.createElementNS(NS, "defs");
  for (const [id, colour] of [["arr-p", "#2b8cbe"], ["arr-m", "#e34a33"], ["arr-q", "#969696"]]) {
    const m = document.createElementNS(NS, "marker");
    for (const [k, v] of Object.entries({ id, viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto" })) m.setAttribute(k, v);
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", id === "arr-m" ? "M 8 0 L 10 0 L 10 10 L 8 10 z" : "M 0 0 L 10 5 L 0 10 z");
    path.setAttribute("fill", colour);
    m.append(path);
    defs.append(m);
  }
  svg.append(defs);
  for (const e of p.edges) {
    const a = pos[e.source], b = pos[e.target];
    if (!a || !b) continue;
    const line = document.createElementNS(NS, "line");
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    line.setAttribute("x1", a.x + dx / len * 14); line.setAttribute("y1", a.y + dy / len * 14);
    line.setAttribute("x2", b.x - dx / len * 16); line.setAttribute("y2", b.y - dy / len * 16);
    const kind = e.sign === "+" ? "p" : e.sign === "-" ? "m" : "q";
    line.setAttribute("class", `edge edge-${kind}`);
    line.setAttribute("marker-end", `url(#arr-${kind})`);
    svg.append(line);
  }
  for (const n of p.nodes) {
    const g = document.createElementNS(NS, "g");
    g.setAttribute("class", "node");
    g.setAttribute("data-node", n.id);
    const a = activity ? activity[n.id] : undefined;
    let value = nodeStates ? nodeStates[n.id] : (a ? a.state : undefined);
    const fill = value === undefined || value === null ? "#ffffff" : (value >= 1 ? "#d7301f" : value <= 0 ? "#d9d9d9" : "#fdae61");
    g.setAttribute("data-state", value === undefined || value === null ? "unmapped" : String(value));
    const w = Math.max(44, n.id.length * 7 + 10);
    const rect = document.createElementNS(NS, "rect");
    for (const [k, v] of Object.entries({ x: pos[n.id].x - w / 2, y: pos[n.id].y - 12, width: w, height: 24, rx: 8, fill })) rect.setAttribute(k, v);
    rect.setAttribute("class", n.input ? "input" : "");
    const text = document.createElementNS(NS, "text");
    text.setAttribute("x", pos[n.id].x); text.setAttribute("y", pos[n.id].y + 4);
    text.textContent = n.id;
    const title = document.createElementNS(NS, "title");
    title.textContent = a ? `${n.id}: ${a.observable} = ${fmt(a.value)} ${a.units} (on when ${a.on_when} ${fmt(a.threshold)}); untreated ${fmt(a.value_untreated)}`
                          : n.id + (n.input ? " (input)" : "");
    g.append(title, rect, text);
    svg.append(g);
  }
  box.append(svg);
}

// ------------------------------------------------------------------ dose-response
async function showDoseResponse(r) {
  $("dr-result").hidden = false;
  const traces = [], grTraces = [];
  const colours = ["#c0392b", "#2980b9", "#27ae60", "#8e44ad", "#d35400", "#16a085"];
  r.contexts.forEach((c, i) => {
    const col = colours[i % colours.length];
    traces.push({ x: r.concentration, y: r.curves[c].viability, mode: "markers", name: c, marker: { color: col } });
    traces.push({ x: r.curves[c].fit_x, y: r.curves[c].fit_y, mode: "lines", name: `${c} (4PL fit)`, line: { color: col }, showlegend: false });
    grTraces.push({ x: r.concentration, y: r.curves[c].gr, mode: "lines+markers", name: c, line: { color: col } });
  });
  await plot("dr-plot", traces, { title: { text: "relative viability at 72 h" }, xaxis: { type: "log", title: { text: `concentration [${r.unit}]` } }, yaxis: { title: { text: "x/x_ctrl" } } });
  await plot("dr-grplot", grTraces, { title: { text: "GR value (Hafner 2016)" }, xaxis: { type: "log", title: { text: `concentration [${r.unit}]` } }, yaxis: { title: { text: "GR" } } });
  table("dr-fits", r.fits);
  table("dr-grm", r.gr_metrics);
}

async function showMeasured(r) {
  $("dr-result").hidden = false;
  const traces = [];
  const colours = ["#c0392b", "#2980b9", "#27ae60", "#8e44ad", "#d35400", "#16a085"];
  Object.entries(r.groups).forEach(([g, d], i) => {
    const col = colours[i % colours.length];
    traces.push({ x: d.dose.map((x) => (x > 0 ? x : null)), y: d.response, mode: "markers", name: g, marker: { color: col } });
    traces.push({ x: d.fit_x, y: d.fit_y, mode: "lines", name: `${g} (fit)`, line: { color: col }, showlegend: false });
  });
  await plot("dr-plot", traces, { title: { text: "measured response with 4PL fits" }, xaxis: { type: "log", title: { text: "dose" } }, yaxis: { title: { text: "response" } } });
  $("dr-grplot").innerHTML = "";
  table("dr-fits", r.fits);
  $("dr-grm").innerHTML = "";
}

function uploadForm(fileInput, fields) {
  const data = new FormData();
  const file = $(fileInput).files[0];
  if (!file) throw new Error("choose a CSV file first");
  data.append("file", file);
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  return { method: "POST", body: data };
}

// ------------------------------------------------------------------ combinations
async function showCombination(r, job) {
  $("cb-result").hidden = false;
  table("cb-summary", [r.summary]);
  const maps = $("cb-maps");
  maps.innerHTML = "";
  const labelsA = r.dose_a.map(fmt), labelsB = r.dose_b.map(fmt);
  const all = [["observed", r.observed.map((row) => row.map((v) => (v === null ? null : 100 * v))), "observed inhibition [%]", "Viridis"]]
    .concat(Object.entries(r.maps).map(([m, z]) => [m, z, `${m.toUpperCase()} excess [pp]`, "RdBu"]));
  for (const [name, z, title, scale] of all) {
    const div = el("div", { class: "plot", id: `cb-map-${name}`, "data-model": name });
    maps.append(div);
    const zmax = scale === "RdBu" ? Math.max(5, ...z.flat().filter((v) => v !== null).map(Math.abs)) : undefined;
    await plot(div.id, [{ z, x: labelsB, y: labelsA, type: "heatmap", colorscale: scale, reversescale: scale === "RdBu",
      zmin: zmax ? -zmax : undefined, zmax, hovertemplate: `${r.drug_a} %{y} ${r.unit}<br>${r.drug_b} %{x} ${r.unit}<br>%{z:.1f}<extra></extra>` }],
      { title: { text: title }, xaxis: { title: { text: `${r.drug_b} [${r.unit}]` }, type: "category" },
        yaxis: { title: { text: `${r.drug_a} [${r.unit}]` }, type: "category" }, height: 340 });
  }
  const iso = $("cb-iso");
  iso.removeAttribute("src");
  iso.dataset.job = job.id;
  iso.dataset.file = r.isobologram;
  refreshImages(job);
}

// ------------------------------------------------------------------ atlas and rescue
async function showAtlas(r) {
  state.atlas = r;
  $("at-result").hidden = false;
  $("at-rule").textContent = r.call_rule + (r.notes && r.notes.length ? " — Model notes: " + r.notes.join(" | ") : "");
  const marks = { "resistant": "R", "partially resistant": "r", "sensitive": "S", "reference": "ref", "inactive in reference": "–" };
  const text = r.gi.map((row, i) => row.map((v, j) => `${fmt(v === null ? null : Math.round(v))} ${marks[r.call[i][j]] || ""}`));
  const div = $("at-heat");
  await plot("at-heat", [{ z: r.gi, x: r.therapies, y: r.contexts, type: "heatmap", colorscale: "Viridis", zmin: 0, zmax: 100,
    text, texttemplate: "%{text}", hovertemplate: "%{y}<br>%{x}<br>GI %{z:.1f} %<extra></extra>", colorbar: { title: { text: "GI [%]" } } }],
    { title: { text: "growth inhibition at 72 h (R resistant, r partial, S sensitive) — click a cell" },
      xaxis: { tickangle: -45, automargin: true }, yaxis: { automargin: true, autorange: "reversed" }, height: 120 + 34 * r.contexts.length });
  div.on("plotly_click", (ev) => {
    const pt = ev.points[0];
    atlasDetail(r.contexts.indexOf(pt.y), r.therapies.indexOf(pt.x));
  });
  const ctx = $("rs-context");
  ctx.innerHTML = "";
  optionList(ctx, r.contexts.filter((c) => c !== "parental"), null);
}

function atlasDetail(i, j) {
  const r = state.atlas;
  const context = r.contexts[i], therapy = r.therapies[j];
  const row = r.table.find((x) => x.context === context && x.therapy === therapy) || {};
  const box = $("at-detail");
  box.hidden = false;
  box.innerHTML = "";
  box.append(el("h3", { text: `${context} under ${therapy}: ${r.call[i][j]}` }));
  box.append(el("p", { text: `Growth inhibition ${fmt(row.inhibition_percent)} % (change against the reference ${fmt(row.gi_change)} pp); GR ${fmt(row.gr)}.` }));
  box.append(el("p", { class: "route", text: `Route of resistance (nodes left active under the therapy): ${r.route[i][j]}` }));
  const residual = Object.keys(row).filter((k) => k.endsWith("_residual"));
  const t = el("div", { id: "at-detail-table", class: "table" });
  box.append(t);
  table("at-detail-table", residual.map((k) => ({ node: k.replace("_residual", ""), "level under therapy / untreated reference": row[k] })));
  const btn = el("button", { type: "button", class: "primary", id: "at-to-rescue", text: `Search rescues for ${context}` });
  btn.addEventListener("click", () => {
    $("rs-context").value = context;
    $("rs-failing").value = therapy;
    $("rs-form").requestSubmit();
  });
  box.append(btn);
}

function showRescue(r) {
  $("rs-result").hidden = false;
  $("rs-head").textContent = `${r.context}: ${r.failing} gives ${fmt(r.failing_gi)} % growth inhibition; best of ${r.n_combinations} combinations:`;
  table("rs-table", r.hits, ["rank_effect", "combination", "inhibition_percent", "bliss_excess", "switched_off", "explanation"]);
}

// ------------------------------------------------------------------ logical twin
async function runAttractors(ev) {
  ev.preventDefault();
  showError("lg-error", "");
  try {
    const r = await api("/api/logical/attractors", { json: { genotypes: splitList($("lg-genotypes").value), drugs: splitList($("lg-drugs").value) } });
    $("lg-result").hidden = false;
    $("lg-head").textContent = `${r.genotype} under ${r.treatment}: ${r.n_attractors} attractor(s). Network coloured by the first (red on, grey off, orange oscillating).`;
    const first = {};
    r.nodes.forEach((n, k) => { first[n] = r.attractors[0][k] === null ? 0.5 : r.attractors[0][k]; });
    drawPathway("lg-network", null, first);
    const rows = r.nodes.map((n, k) => { const row = { node: n }; r.attractors.forEach((a, m) => { row[`attractor ${m + 1}`] = a[k] === null ? "osc." : a[k]; }); return row; });
    table("lg-table", rows);
  } catch (e) { showError("lg-error", e.message); }
}

async function showScan(r) {
  $("sc-result").hidden = false;
  const rows = r.rows;
  await plot("sc-plot", [{ type: "bar", x: rows.map((x) => x.intervention), y: rows.map((x) => x.effect), marker: { color: "#2980b9" } }],
    { title: { text: `change of ${r.phenotype} against untreated (attractor fraction)` }, xaxis: { tickangle: -45, automargin: true } });
  table("sc-table", rows, ["rank", "intervention", "effect", "fraction_on", "fraction_oscillating", "n_attractors"]);
}

// ------------------------------------------------------------------ model
async function loadModel() {
  if (state.model) { renderModelTable(); return; }
  try { state.model = await api("/api/model/tables"); renderModelTable(); } catch (e) { showError("md-error", e.message); }
}

function renderModelTable() {
  const rows = state.model[state.modelTable];
  const q = $("md-search").value.trim().toLowerCase();
  const hits = q ? rows.filter((r) => Object.values(r).some((v) => String(v).toLowerCase().includes(q))) : rows;
  $("md-count").textContent = `${hits.length} of ${rows.length} ${state.modelTable}`;
  table("md-table", hits, null, { limit: 400 });
}

// ------------------------------------------------------------------ trials
async function loadTrials() {
  try {
    const r = await api("/api/trials/specs");
    $("tr-unavailable").hidden = r.available;
    $("tr-unavailable").textContent = r.available ? "" : r.reason;
    $("tr-form").hidden = !r.available;
    const sel = $("tr-spec");
    if (r.available && sel.options.length === 0) optionList(sel, r.specs, r.specs[0]);
  } catch (e) { showError("tr-error", e.message); }
}

function showTrial(r, job) {
  $("tr-result").hidden = false;
  table("tr-table", r.summary);
  if (r.report) {
    const a = el("a", { href: `/api/jobs/${job.id}/files/${r.report}`, target: "_blank", text: "Open the trial report" });
    $("tr-result").prepend(el("p", {}, a));
  }
}

async function loadJobs() {
  try {
    const jobs = await api("/api/jobs");
    table("jobs-table", jobs.map((j) => ({ id: j.id, kind: j.kind, state: j.state, message: j.message, created: new Date(j.created * 1000).toLocaleTimeString(), cli: j.cli })));
  } catch (e) { showError("global-error", e.message); }
}

// ------------------------------------------------------------------ start
async function start() {
  try {
    state.catalogue = await api("/api/catalogue");
    state.pathway = await api("/api/pathway");
  } catch (e) { showError("global-error", e.message); return; }
  const c = state.catalogue;
  $("version").textContent = `her2sim ${c.her2sim_version}`;
  optionList($("tc-cell-line"), c.cell_lines, "MDA-MB-453");
  optionList($("tc-regimens"), c.regimens, "trastuzumab q3w");
  optionList($("dr-unit"), c.units, "nM");
  const contexts = ["parental", ...c.genotypes.map((g) => g.name), ...c.cell_lines];
  optionList($("cb-context"), contexts, "parental");
  optionList($("at-basis"), c.atlas.bases, "free_average");
  const dl = $("drug-names");
  for (const d of c.drugs) dl.append(el("option", { value: d.name }));
  $("at-contexts").value = [...c.atlas.contexts, "MDA-MB-453", "JIMT-1"].join(", ");
  $("at-therapies").value = c.atlas.therapies.join(", ");
  $("sc-drugs").value = c.scan_drugs.join(", ");
  addDrugRow("trastuzumab", 10, "ug/mL");

  $("tc-add-genotype").addEventListener("click", () => { $("tc-cell-line").value = ""; addGenotypeRow(c.genotypes[0].name, 1); });
  $("tc-add-drug").addEventListener("click", () => addDrugRow("lapatinib", 1, "uM"));
  for (const r of document.querySelectorAll("input[name=tc-mode]")) {
    r.addEventListener("change", () => {
      const regimen = document.querySelector("input[name=tc-mode]:checked").value === "regimen";
      $("tc-doses").hidden = regimen; $("tc-regimen").hidden = !regimen;
    });
  }
  $("tc-form").addEventListener("submit", runTimeCourse);
  $("dr-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    runJob("dose", "dr", "/api/jobs/dose-response", { json: {
      treatment: $("dr-treatment").value.trim(), contexts: splitList($("dr-contexts").value), low: Number($("dr-low").value),
      high: Number($("dr-high").value), points: Number($("dr-points").value), unit: $("dr-unit").value } }, showDoseResponse, "dr-error");
  });
  $("dr-upload").addEventListener("submit", (ev) => {
    ev.preventDefault();
    let opts;
    try { opts = uploadForm("dr-file", { n_boot: $("dr-nboot").value, seed: $("dr-seed").value }); } catch (e) { showError("dr-error", e.message); return; }
    runJob("dose", "dr", "/api/upload/dose-response", opts, showMeasured, "dr-error");
  });
  $("cb-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const ctx = $("cb-context").value;
    const tumour = c.cell_lines.includes(ctx) ? { cell_line: ctx } : ctx === "parental" ? {} : { genotypes: { [ctx]: 1 } };
    runJob("combination", "cb", "/api/jobs/combination", { json: { drug_a: $("cb-a").value.trim(), drug_b: $("cb-b").value.trim(), tumour, points: Number($("cb-points").value) } }, showCombination, "cb-error");
  });
  $("cb-upload").addEventListener("submit", (ev) => {
    ev.preventDefault();
    let opts;
    try { opts = uploadForm("cb-file", { drug_a: $("cb-a").value.trim() || "drug A", drug_b: $("cb-b").value.trim() || "drug B", response: $("cb-response").value }); } catch (e) { showError("cb-error", e.message); return; }
    runJob("combination", "cb", "/api/upload/combination", opts, showCombination, "cb-error");
  });
  $("at-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    runJob("atlas", "at", "/api/jobs/atlas", { json: { contexts: splitList($("at-contexts").value), therapies: splitList($("at-therapies").value), reference: "parental", basis: $("at-basis").value } }, showAtlas, "at-error");
  });
  $("rs-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const ctx = $("rs-context").value;
    const tumour = c.cell_lines.includes(ctx) ? { cell_line: ctx } : { genotypes: Object.fromEntries(ctx.split(" + ").map((g) => [g, 1])) };
    const failing = $("rs-failing").value.trim();
    const backbone = $("rs-backbone").checked ? failing.split("+").map((s) => s.trim()).filter((s) => s) : [];
    runJob("atlas", "rs", "/api/jobs/rescue", { json: { tumour, failing, backbone, max_size: Number($("rs-size").value) } }, showRescue, "rs-error");
  });
  $("lg-form").addEventListener("submit", runAttractors);
  $("sc-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    runJob("logical", "sc", "/api/jobs/logical-scan", { json: { genotypes: splitList($("lg-genotypes").value), interventions: splitList($("sc-drugs").value), order: Number($("sc-order").value), phenotype: $("sc-phen").value } }, showScan, "sc-error");
  });
  $("md-search").addEventListener("input", renderModelTable);
  for (const b of document.querySelectorAll("#md-tabs button")) {
    b.addEventListener("click", () => {
      state.modelTable = b.dataset.table;
      for (const o of document.querySelectorAll("#md-tabs button")) o.classList.toggle("on", o === b);
      if (state.model) renderModelTable();
    });
  }
  $("dl-petab").addEventListener("click", () => runJob("model", "md", "/api/jobs/petab", { json: {} }, () => {}, "md-error"));
  $("tr-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    runJob("trials", "tr", "/api/jobs/trial", { json: { spec: $("tr-spec").value, n: Number($("tr-n").value), seed: Number($("tr-seed").value) } }, showTrial, "tr-error");
  });

  window.addEventListener("hashchange", route);
  route();
  resumeJob("tumour", "tc", showRegimen, "tc-error");
  resumeJob("dose", "dr", (r) => (r && r.groups ? showMeasured(r) : showDoseResponse(r)), "dr-error");
  resumeJob("combination", "cb", showCombination, "cb-error");
  resumeJob("atlas", "at", showAtlas, "at-error");
  resumeJob("atlas", "rs", showRescue, "rs-error");
  resumeJob("logical", "sc", showScan, "sc-error");
  resumeJob("model", "md", () => {}, "md-error");
  resumeJob("trials", "tr", showTrial, "tr-error");
  document.body.dataset.ready = "1";
  loadPlotly().catch((e) => showError("global-error", e.message));
}

window.addEventListener("DOMContentLoaded", start);
