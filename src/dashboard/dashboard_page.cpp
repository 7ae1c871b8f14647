// See dashboard_page.hpp.
#include "dashboard/dashboard_page.hpp"

namespace uvscrape::dashboard {

// The page polls /api/snapshot every second and redraws; it loads nothing
// else. Errors of its own (a failed poll, a script error) go into #errors,
// which the browser test reads.
std::string_view dashboard_page() noexcept {
  return R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>uvscrape dashboard</title>
<style>
  :root { --fg: #1d2330; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --bad: #b91c1c; }
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, sans-serif; color: var(--fg); margin: 0; background: #f8fafc; }
  header { padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line);
           display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
  header h1 { font-size: 18px; margin: 0; }
  .muted { color: var(--muted); }
  main { padding: 16px 20px; display: grid; gap: 16px;
         grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
  section h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em;
               color: var(--muted); }
  .counters { display: grid; grid-template-columns: repeat(auto-fit, minmax(90px, 1fr)); gap: 8px; }
  .counter b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; }
  td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line);
           vertical-align: top; overflow-wrap: anywhere; }
  th { color: var(--muted); font-weight: 600; white-space: nowrap; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  code { font-size: 12px; }
  #errors { color: var(--bad); white-space: pre-wrap; }
  #chart rect { fill: var(--accent); }
  button { font: inherit; padding: 1px 8px; }
</style>
</head>
<body>
<header>
  <h1>uvscrape</h1>
  <span id="scraper"></span>
  <span>status <b id="status">…</b></span>
  <span class="muted" id="store"></span>
  <span class="muted">updated <span id="updated">never</span> (<span id="updates">0</span>)</span>
  <span id="controls"></span>
</header>
<div id="errors"></div>
<main>
  <section>
    <h2>Requests</h2>
    <div class="counters">
      <div class="counter"><b id="c-done">0</b>done</div>
      <div class="counter"><b id="c-pending">0</b>pending</div>
      <div class="counter"><b id="c-in_flight">0</b>in flight</div>
      <div class="counter"><b id="c-failed">0</b>failed</div>
      <div class="counter"><b id="c-items">0</b>items</div>
      <div class="counter"><b id="c-invalid">0</b>invalid items</div>
    </div>
    <p id="rates" class="muted"></p>
    <div id="live"></div>
  </section>
  <section>
    <h2>Throughput</h2>
    <svg id="chart" viewBox="0 0 600 160" width="100%" height="160" role="img"
         aria-label="requests settled per interval"></svg>
    <p class="muted" id="chart-legend"></p>
  </section>
  <section>
    <h2>Failures by type</h2>
    <table><thead><tr><th>kind</th><th>count</th><th>examples</th><th></th></tr></thead>
    <tbody id="failures"></tbody></table>
  </section>
  <section>
    <h2>Hosts</h2>
    <p class="muted">By failures, then by pending requests, then by recently settled ones.</p>
    <table><thead><tr><th>host</th><th>failures</th><th>pending</th><th>recent</th></tr></thead>
    <tbody id="hosts"></tbody></table>
  </section>
  <section>
    <h2>Slowest hosts</h2>
    <p class="muted">By mean fetch time (connect to whole response) of the latest settled
      requests.</p>
    <table><thead><tr><th>host</th><th>timed</th><th>mean ms</th><th>p95 ms</th><th>max ms</th>
    </tr></thead><tbody id="slowest"></tbody></table>
  </section>
  <section style="grid-column: 1 / -1">
    <h2>Recent items</h2>
    <table><thead><tr><th>model</th><th>item</th></tr></thead><tbody id="items"></tbody></table>
  </section>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const errors = [];
function report(text) {
  errors.push(new Date().toISOString().slice(11, 19) + " " + text);
  $("errors").textContent = errors.slice(-5).join("\n");
}
window.addEventListener("error", (e) => report("script: " + e.message));
window.addEventListener("unhandledrejection", (e) => report("script: " + e.reason));
function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}
function fill(id, rows, make) {
  const body = $(id);
  body.replaceChildren();
  for (const r of rows) { const tr = document.createElement("tr"); make(tr, r); body.appendChild(tr); }
  if (!rows.length) { const tr = document.createElement("tr"); cell(tr, "none", "muted"); body.appendChild(tr); }
}
function duration(s) {
  const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
  return (h ? h + "h " : "") + (h || m ? m + "m " : "") + sec + "s";
}
async function control(action, body) {
  try {
    const r = await fetch("/api/control/" + action, { method: "POST",
      headers: { "Content-Type": "application/json", "X-Uvscrape-Control": "1" },
      body: JSON.stringify(body || {}) });
    const j = await r.json();
    if (!r.ok) report(action + ": " + (j.error || r.status));
    poll();
  } catch (e) { report(action + ": " + e); }
}
function chart(series) {
  const svg = $("chart"), ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  const counts = series.counts, max = Math.max(1, ...counts), w = 600 / counts.length;
  counts.forEach((c, i) => {
    const r = document.createElementNS(ns, "rect"), h = c / max * 150;
    r.setAttribute("x", (i * w + 1).toFixed(1)); r.setAttribute("width", (w - 2).toFixed(1));
    r.setAttribute("y", (158 - h).toFixed(1)); r.setAttribute("height", h.toFixed(1));
    const t = document.createElementNS(ns, "title"); t.textContent = c + " requests";
    r.appendChild(t); svg.appendChild(r);
  });
  const line = document.createElementNS(ns, "line");
  line.setAttribute("x1", 0); line.setAttribute("x2", 600); line.setAttribute("y1", 158);
  line.setAttribute("y2", 158); line.setAttribute("stroke", "#9ca3af"); svg.appendChild(line);
  $("chart-legend").textContent = "requests settled per " + (series.bucket_ms / 1000) +
    " s over the last " + duration(Math.round(series.bucket_ms * counts.length / 1000)) +
    " (peak " + max + ")";
}
function render(s) {
  $("store").textContent = s.store || "";
  $("scraper").textContent = s.scraper || "";
  $("status").textContent = s.missing ? "no store yet" : (s.status || "?");
  const q = s.requests || {};
  for (const k of ["done", "pending", "in_flight", "failed"]) $("c-" + k).textContent = q[k] || 0;
  $("c-items").textContent = s.items || 0;
  // A Redis store does not count invalid items: "-", not a 0 that may be wrong.
  $("c-invalid").textContent = s.missing ? 0 : (s.invalid_items ?? "-");
  const t = s.throughput;
  $("rates").textContent = t ? t.last_minute + " in the last minute, " + t.last_hour +
    " in the last hour; " + t.left + " left" +
    (t.eta_seconds !== undefined ? ", ETA " + duration(t.eta_seconds) : "") :
    "this store keeps no completion times";
  if (t) chart(t.series);
  const live = s.live;
  $("live").textContent = live ? "live: " + live.requests_completed + " completed, " +
    live.requests_queued + " queued, " + live.requests_in_flight + " in flight, " +
    live.items_emitted + " items, " + live.requests_failed + " failed" : "";
  const canRetry = (s.control || []).includes("retry");
  fill("failures", s.failures || [], (tr, f) => {
    cell(tr, f.kind); cell(tr, f.count, "n");
    const ex = cell(tr, "");
    for (const e of f.examples) {
      const d = document.createElement("div");
      const c = document.createElement("code"); c.textContent = e.url;
      d.appendChild(c); d.appendChild(document.createTextNode(" " + e.message)); ex.appendChild(d);
    }
    const b = cell(tr, "");
    if (canRetry) {
      const btn = document.createElement("button"); btn.textContent = "retry";
      btn.onclick = () => control("retry", { kind: f.kind }); b.appendChild(btn);
    }
  });
  fill("hosts", s.hosts || [], (tr, h) => {
    cell(tr, h.host); cell(tr, h.failures, "n"); cell(tr, h.pending, "n"); cell(tr, h.recent, "n");
  });
  fill("slowest", s.slowest_hosts || [], (tr, h) => {
    cell(tr, h.host); cell(tr, h.timed, "n"); cell(tr, h.mean_ms, "n");
    cell(tr, h.p95_ms === undefined ? "-" : h.p95_ms, "n"); cell(tr, h.max_ms, "n");
  });
  fill("items", s.recent_items || [], (tr, i) => {
    cell(tr, i.model || "json"); const c = cell(tr, ""); const code = document.createElement("code");
    code.textContent = i.body; c.appendChild(code);
  });
  const controls = $("controls");
  controls.replaceChildren();
  if ((s.control || []).includes("stop")) {
    const btn = document.createElement("button"); btn.textContent = "stop the run";
    btn.onclick = () => control("stop"); controls.appendChild(btn);
  }
  if (s.error) report("store: " + s.error);
  $("updated").textContent = new Date().toLocaleTimeString();
  $("updates").textContent = Number($("updates").textContent) + 1;
}
let polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  try {
    const r = await fetch("/api/snapshot", { cache: "no-store" });
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
  } catch (e) { report("snapshot: " + e.message); }
  polling = false;
}
poll();
setInterval(poll, 1000);
</script>
</body>
</html>
)html";
}

}  // namespace uvscrape::dashboard
