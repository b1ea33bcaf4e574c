// Crossings per day (Vega-Lite), from GET /v1/crossings/daily: one small chart per checkpoint,
// direction and category. A day absent from a series had no report and is drawn as nothing (a
// gap); a reported zero is a ◆ on the axis; disagreeing figures are a range with each figure's
// claimant; a report over several days is a dashed line across its period, labelled as a total.

import { clear, el, num, range, smallMultiples, timeAxis, withoutAria } from "./util.js";

/** The rows the chart draws (named data "crossings"): one per day with a report, one per span. */
export function crossingRows(daily, names) {
  const rows = [];
  for (const s of daily.series) {
    const series = `${names.checkpoint(s.checkpoint)} · ${s.direction} · ${s.category}`;
    for (const c of s.days) {
      const figs = c.figures.length
        ? c.figures.map((f) => `${num(f.count)}${f.claim_of.length ? ` (claim of ${f.claim_of.map((o) => names.org(o)).join(", ")})` : ""}`).join("; ")
        : "";
      rows.push({
        kind: c.high === 0 ? "zero" : c.low === c.high ? "day" : "range",
        series, checkpoint: s.checkpoint, direction: s.direction, category: s.category,
        day: c.day, low: c.low, high: c.high, reports: c.reports,
        figure: range(c.low, c.high), sources: figs || `${c.reports} report${c.reports === 1 ? "" : "s"}`,
        evidence: c.evidence,
      });
    }
    for (const p of s.spans) {
      const days = Math.round((new Date(p.end) - new Date(p.start)) / 86400000);
      rows.push({
        kind: "span", series, checkpoint: s.checkpoint, direction: s.direction, category: s.category,
        start: p.start.slice(0, 10), end: p.end.slice(0, 10), low: p.low, high: p.high,
        labelAt: p.start.slice(0, 10) < daily.start ? daily.start : p.start.slice(0, 10),
        figure: `${range(p.low, p.high)} over ${days} days (a total for the period, not per day)`,
        label: `${range(p.low, p.high)} over ${days} days (period total, ${p.start.slice(0, 10)} to ${p.end.slice(0, 10)})`,
        sources: p.figures.map((f) => `${num(f.count)}${f.claim_of.length ? ` (claim of ${f.claim_of.map((o) => names.org(o)).join(", ")})` : ""}`).join("; "),
        evidence: p.figures.map((f) => f.id),
      });
    }
  }
  return rows;
}

function spec(rows, start, end, width) {
  const x = timeAxis("day", start, end);
  const tooltip = [
    { field: "series", title: "Series" }, { field: "day", title: "Day" },
    { field: "figure", title: "Figure" }, { field: "sources", title: "Sources" },
  ];
  return smallMultiples("crossings", rows, {
    width, height: 90,
    layer: [
      { transform: [{ filter: "datum.kind === 'day' || datum.kind === 'range'" }],
        mark: { type: "bar", color: "#35608f", cursor: "pointer", width: { band: 0.9 } },
        encoding: { x: { ...x, timeUnit: "utcyearmonthdate" }, y: { field: "low", type: "quantitative", title: "reported" }, tooltip } },
      { transform: [{ filter: "datum.kind === 'range'" }],
        mark: { type: "rule", color: "#b42318", strokeWidth: 3, cursor: "pointer" },
        encoding: { x: { ...x, timeUnit: "utcyearmonthdate", bandPosition: 0.5 }, y: { field: "low", type: "quantitative" }, y2: { field: "high" }, tooltip } },
      { transform: [{ filter: "datum.kind === 'range'" }],
        mark: { type: "tick", color: "#b42318", thickness: 3, cursor: "pointer" },
        encoding: { x: { ...x, timeUnit: "utcyearmonthdate", bandPosition: 0.5 }, y: { field: "high", type: "quantitative" }, tooltip } },
      { transform: [{ filter: "datum.kind === 'zero'" }],
        mark: { type: "point", shape: "diamond", filled: true, size: 90, color: "#1b1f24", cursor: "pointer" },
        encoding: { x: { ...x, timeUnit: "utcyearmonthdate", bandPosition: 0.5 }, y: { datum: 0, type: "quantitative" }, tooltip } },
      { transform: [{ filter: "datum.kind === 'span'" }],
        mark: { type: "rule", strokeDash: [6, 3], strokeWidth: 2.5, color: "#6b4c9a", cursor: "pointer", clip: true },
        encoding: { x: { field: "start", type: "temporal" }, x2: { field: "end" }, y: { field: "low", type: "quantitative" },
          tooltip: [{ field: "series", title: "Series" }, { field: "start", title: "From" }, { field: "end", title: "To" },
            { field: "figure", title: "Figure" }, { field: "sources", title: "Sources" }] } },
      { transform: [{ filter: "datum.kind === 'span'" }],
        mark: { type: "text", align: "left", dy: -7, fontSize: 11, color: "#4b3670" },
        encoding: { x: { field: "labelAt", type: "temporal" }, y: { field: "low", type: "quantitative" }, text: { field: "label" } } },
    ],
  });
}

/** Draw the chart and its table into `chartEl` / `tableEl`; `onFigure(row)` opens evidence.
 *  Returns the Vega view (null when the window holds no report). */
export async function renderCrossings(chartEl, tableEl, daily, names, onFigure) {
  const rows = crossingRows(daily, names);
  chartEl.dataset.rows = String(rows.length);
  renderTable(tableEl, rows, onFigure);
  if (rows.length === 0) {
    clear(chartEl, el("p", { class: "empty" },
      "No crossing report in this window: nothing was reported (which is not a count of zero)."));
    return null;
  }
  const width = Math.max(360, Math.min(1100, chartEl.clientWidth - 60));
  clear(chartEl);
  const host = el("div", { role: "img", "aria-label": `Crossings per day from ${daily.start} to ${daily.end}; the table below lists the same figures` });
  chartEl.append(host);
  const result = await vegaEmbed(host, withoutAria(spec(rows, daily.start, daily.end, width)),
    { actions: false, renderer: "svg", logLevel: vega.Error, tooltip: { theme: "light" } });
  result.view.addEventListener("click", (_e, item) => {
    const row = item?.datum;
    if (row && row.evidence) onFigure(row);
  });
  return result.view;
}

function renderTable(tableEl, rows, onFigure) {
  const body = rows.map((r) => el("tr", {},
    el("td", {}, r.series),
    el("td", {}, r.kind === "span" ? `${r.start} to ${r.end}` : r.day),
    el("td", { class: "num" }, r.figure),
    el("td", {}, r.sources),
    el("td", {}, el("button", { type: "button", class: "fig", dataset: { kind: r.kind },
      onclick: () => onFigure(r) }, `Evidence (${r.evidence.length})`))));
  clear(tableEl, rows.length === 0 ? el("p", {}, "No report in this window.") : el("table", {},
    el("caption", { class: "hint" }, "Only days with a report are listed: a day not listed had no report."),
    el("thead", {}, el("tr", {}, ["Series", "Day", "Figure", "Sources", "Evidence"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, body)));
}
