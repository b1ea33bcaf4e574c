// People: the latest population figure of each reporter per place and kind (from the
// situation), and the counts of the year before the instant (GET /v1/population) as points,
// one small chart per place, kind, reporter and claim. Each count is drawn as reported: no line
// joins them (nothing is interpolated), and figures of different reporters or parties are never
// merged. Every figure opens its evidence.

import { clear, el, num, smallMultiples, timeAxis, withoutAria } from "./util.js";

const KIND = { resident: "residents", displaced: "displaced", cumulative_arrivals: "arrivals so far" };

function kindOf(p, names) {
  return `${KIND[p.kind] ?? p.kind}${p.origin ? ` from ${names.place(p.origin)}` : ""}`;
}

function claims(p, names) {
  return p.claim_of?.length ? p.claim_of.map((o) => names.org(o)).join(", ") : "";
}

/** The rows the chart draws (named data "population"): one per count, in one series per
 *  place, kind, reporter and whose claim it is (two parties' figures never share a chart). */
export function populationRows(series, names) {
  return series.figures.map((p) => ({
    series: `${names.place(p.place)} · ${kindOf(p, names)} · ${names.org(p.reporter)}`
      + (claims(p, names) ? ` · the claim of ${claims(p, names)}` : ""),
    observed: p.observed, persons: p.persons, id: p.id, figure: num(p.persons),
    claim: claims(p, names) || "—",
  }));
}

function spec(rows, start, end, width) {
  const tooltip = [
    { field: "series", title: "Series" }, { field: "observed", title: "Observed", type: "temporal", format: "%d %b %Y %H:%M" },
    { field: "figure", title: "Persons" }, { field: "claim", title: "Whose claim" },
  ];
  return smallMultiples("population", rows, {
    width, height: 80,
    mark: { type: "point", filled: true, size: 70, color: "#35608f", cursor: "pointer" },
    encoding: {
      x: timeAxis("observed", start, end),
      y: { field: "persons", type: "quantitative", title: "persons", scale: { zero: true } },
      tooltip,
    },
  });
}

function latestTable(sit, names, open) {
  const rows = sit.population;
  if (rows.length === 0) return el("p", {}, "No population figure is reported before this instant.");
  const counts = new Map();
  for (const p of rows) counts.set(`${p.place}|${p.kind}`, (counts.get(`${p.place}|${p.kind}`) ?? 0) + 1);
  return el("table", { class: "population" },
    el("caption", { class: "hint" }, "The latest figure of each reporter, as reported (not estimated). Where sources give different figures for the same place, they stand side by side."),
    el("thead", {}, el("tr", {}, ["Where", "Who", "Persons", "As of", "Reported by", "Whose claim", "Evidence"]
      .map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((p) => el("tr", { dataset: { id: p.id } },
      el("th", { scope: "row" }, names.place(p.place)),
      el("td", {}, kindOf(p, names)),
      el("td", { class: counts.get(`${p.place}|${p.kind}`) > 1 ? "num disputed" : "num" }, num(p.persons)),
      el("td", {}, el("time", { datetime: p.observed }, p.observed.slice(0, 10))),
      el("td", {}, names.org(p.reporter)),
      el("td", {}, claims(p, names) || "—"),
      el("td", {}, el("button", { type: "button", class: "fig", onclick: () => open({
        title: `${kindOf(p, names)} at ${names.place(p.place)}, ${p.observed.slice(0, 10)}`,
        ids: [p.id], attestations: sit.attestations,
        lines: [`${num(p.persons)} persons, as reported by ${names.org(p.reporter)}${claims(p, names) ? ` (the claim of ${claims(p, names)})` : ""}.`],
      }) }, "Evidence (1)"))))));
}

function seriesTable(rows, open, attestations) {
  return el("details", { class: "population-series" },
    el("summary", {}, `The ${rows.length} counts of the chart as a table`),
    el("table", {},
      el("thead", {}, el("tr", {}, ["Series", "Observed", "Persons", "Whose claim", "Evidence"]
        .map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((r) => el("tr", { dataset: { id: r.id } },
        el("td", {}, r.series), el("td", {}, r.observed.slice(0, 16).replace("T", " ")),
        el("td", { class: "num" }, r.figure), el("td", {}, r.claim),
        el("td", {}, el("button", { type: "button", class: "fig", onclick: () => open({
          title: `${r.series}, ${r.observed.slice(0, 10)}`, ids: [r.id], attestations,
        }) }, "Evidence (1)")))))));
}

/** Draw the people panel into `node`. Returns the chart's Vega view (null without counts). */
export async function renderPopulation(node, sit, series, names, open) {
  const rows = populationRows(series, names);
  const chart = el("div", { class: "chart", dataset: { rows: String(rows.length) } });
  clear(node, latestTable(sit, names, open), chart);
  if (rows.length === 0) {
    clear(chart, el("p", { class: "empty" }, "No population count was reported in the year before this instant."));
    return null;
  }
  chart.before(el("p", { class: "hint" }, `The counts reported from ${series.start.slice(0, 10)} to ${series.at.slice(0, 10)}, each a point as reported (nothing drawn between them).`));
  node.append(seriesTable(rows, open, sit.attestations));
  const width = Math.max(360, Math.min(1100, node.clientWidth - 60));
  const host = el("div", { role: "img", "aria-label": `Population counts from ${series.start.slice(0, 10)} to ${series.at.slice(0, 10)}; the table below lists the same counts` });
  chart.append(host);
  const result = await vegaEmbed(host, withoutAria(spec(rows, series.start, series.at, width)),
    { actions: false, renderer: "svg", logLevel: vega.Error, tooltip: { theme: "light" } });
  result.view.addEventListener("click", (_e, item) => {
    const row = item?.datum;
    if (row && row.id) open({ title: `${row.series}, ${row.observed.slice(0, 10)}`, ids: [row.id], attestations: sit.attestations });
  });
  return result.view;
}
