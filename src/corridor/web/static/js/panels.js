// The convoy board, the incidents timeline, the commitments panel, the supply fan charts and
// the log panel. Each figure is a button that opens its evidence.

import { clear, el, figures, num, withoutAria } from "./util.js";

export function renderConvoys(node, sit, names, open) {
  const rows = sit.convoys_waiting;
  if (rows.length === 0) {
    clear(node, el("p", {}, "No convoy reported waiting at this instant."));
    return;
  }
  clear(node, el("table", { class: "convoys" },
    el("caption", { class: "hint" }, "Where sources give different figures for the same convoy, they are shown side by side."),
    el("thead", {}, el("tr", {}, ["Convoy", "State", "Where", "Waiting since", "Days waiting",
      "Vehicles", "Cargo", "Last report", "Evidence"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((w) => el("tr", { dataset: { convoy: w.convoy } },
      el("th", { scope: "row" }, w.convoy),
      el("td", {}, w.state),
      el("td", {}, names.place(w.place)),
      el("td", {}, (w.since ?? "").slice(0, 10)),
      el("td", { class: "num" }, num(w.days_waiting)),
      el("td", { class: w.vehicles.length > 1 ? "num disputed" : "num" }, figures(w.vehicles)),
      el("td", { class: w.tonnes.length > 1 ? "num disputed" : "num" }, figures(w.tonnes, "t")),
      el("td", {}, `${(w.last_report ?? "").slice(0, 10)} (${num(w.days_since_report)} days ago)`),
      el("td", {}, el("button", { type: "button", class: "fig", onclick: () => open({
        title: `Convoy ${w.convoy}`, ids: w.evidence, attestations: sit.attestations,
        lines: [`${w.state} at ${names.place(w.place)} since ${(w.since ?? "").slice(0, 10)}; vehicles ${figures(w.vehicles)}; cargo ${figures(w.tonnes, "t")}.`],
      }) }, `Evidence (${w.evidence.length})`)))))));
}

export function renderIncidents(node, sit, names, open) {
  const items = [...sit.incidents].sort((a, b) => (a.observed < b.observed ? 1 : -1));
  if (items.length === 0) {
    clear(node, el("li", {}, "No incident reported in the 30 days before this instant."));
    return;
  }
  clear(node, items.map((i) => {
    const toll = [i.killed != null && `${i.killed} killed`, i.injured != null && `${i.injured} injured`,
      i.missing != null && `${i.missing} missing`].filter(Boolean).join(", ");
    return el("li", { dataset: { id: i.id } },
      el("time", { datetime: i.observed }, i.observed.slice(0, 10)), " ",
      el("span", {}, i.category.replaceAll("_", " ")),
      i.place ? ` at ${names.place(i.place)}` : "",
      toll ? ` — ${toll}` : "",
      i.claim_of.length ? ` (the claim of ${i.claim_of.map((o) => names.org(o)).join(", ")})` : "",
      i.text ? el("div", {}, i.text) : "",
      el("button", { type: "button", class: "fig", onclick: () => open({
        title: `Incident of ${i.observed.slice(0, 10)}`, ids: [i.id], attestations: sit.attestations,
      }) }, "Evidence (1)"));
  }));
}

const MARK = { satisfied: "✓", violated: "✗", undetermined: "?", pending: "…" };

export function renderCommitments(node, doc, names, at, open) {
  if (!doc) {
    clear(node, el("p", {}, "The record holds no built-in case, so no commitment is judged here (corridor check judges rule files)."));
    return;
  }
  clear(node, el("p", { class: "hint" }, `Judged at ${doc.at} over ${num(doc.observations)} observations.`),
    doc.items.map((c) => {
      const t = Date.parse(at);
      const inst = c.instances.find((i) => Date.parse(i.start) <= t && (!i.end || t < Date.parse(i.end)));
      const counts = Object.entries(c.counts).filter(([, n]) => n > 0)
        .map(([k, n]) => `${num(n)} ${k}`).join(", ") || "no window yet";
      const windows = el("details", {}, el("summary", {}, `All ${c.instances.length} windows`),
        el("div", { class: "windows", role: "list" }));
      windows.addEventListener("toggle", () => {
        const box = windows.querySelector(".windows");
        if (!windows.open || box.childElementCount) return;
        box.append(...c.instances.map((i) => el("button", {
          type: "button", role: "listitem", class: `${i.verdict}${i === inst ? " current" : ""}`,
          title: `${i.key}: ${i.verdict}`, "aria-label": `${i.key}: ${i.verdict}`,
          onclick: () => open({ title: `${c.title}: ${i.key}`, ids: i.evidence.map((e) => e.id ?? e),
            lines: [`${i.verdict}: ${i.why ?? ""}`] }),
        }, MARK[i.verdict] ?? "·")));
      });
      return el("article", { class: "commitment", dataset: { id: c.id, verdict: c.verdict } },
        el("h3", {}, c.title),
        el("p", {}, el("span", { class: `verdict ${c.verdict}` }, `${MARK[c.verdict] ?? ""} ${c.verdict}`),
          ` overall (${counts}). `, c.party?.length ? `Party: ${c.party.map((p) => names.org(p)).join(", ")}. ` : "",
          c.source ? [`Source: ${c.source.instrument ?? ""} (${c.source.date ?? ""}) `,
            c.source.url ? el("a", { href: c.source.url, rel: "noopener noreferrer", target: "_blank" }, "link") : ""] : ""),
        el("p", {}, inst
          ? ["At the chosen instant (window ", inst.key, "): ",
            el("span", { class: `verdict ${inst.verdict}` }, `${MARK[inst.verdict] ?? ""} ${inst.verdict}`), ` — ${inst.why ?? ""} `,
            el("button", { type: "button", class: "fig", onclick: () => open({
              title: `${c.title}: ${inst.key}`, ids: inst.evidence.map((e) => e.id ?? e),
              lines: [`${inst.verdict}: ${inst.why ?? ""}`],
            }) }, `Evidence (${inst.evidence.length})`)]
          : "No window of this commitment covers the chosen instant."),
        windows);
    }));
}

export async function renderSupply(node, doc) {
  if (!doc) {
    clear(node, el("p", {}, "The record holds no built-in case, so no supply scenario is run here (corridor supply runs scenario files)."));
    return;
  }
  const commodity = "cereal";
  clear(node, el("p", { class: "hint" }, `${doc.runs} Monte Carlo runs (seed ${doc.seed}) per scenario; ${commodity} stock in tonnes.`));
  const grid = el("div", { class: "fans" });
  node.append(grid);
  for (const s of doc.scenarios) {
    const q = s.series?.[commodity]?.stock_g;
    if (!q) continue;
    const rows = s.series.dates.map((d, i) => ({
      day: d, p5: q.p5[i] / 1e6, p25: q.p25[i] / 1e6, p50: q.p50[i] / 1e6, p75: q.p75[i] / 1e6, p95: q.p95[i] / 1e6,
    }));
    const stockout = s.commodities.find((c) => c.commodity === commodity)?.stockout_date;
    const box = el("figure", { class: "fan", dataset: { scenario: s.scenario } },
      el("h3", {}, s.scenario), el("div", { role: "img",
        "aria-label": `${s.scenario}: median ${commodity} stock over time with 25–75% and 5–95% bands` }),
      el("figcaption", { class: "hint" }, s.description ?? "",
        stockout ? ` Median stock-out: ${stockout.p50 ?? "none in the period"} (5%: ${stockout.p5 ?? "none"}, 95%: ${stockout.p95 ?? "none"}).` : ""),
      el("details", {}, el("summary", {}, "Assumptions and sources"),
        el("ul", {}, (s.assumptions ?? []).map((a) => el("li", {}, a)),
          (s.uncertain ?? []).map((u) => el("li", {}, `uncertain: ${u.field} — ${u.distribution}`))),
        el("p", {}, "Sources: ", (s.sources ?? []).join("; ") || "none given"),
        s.record ? el("p", {}, `Read from the record: ${s.record.deliveries} deliveries.`) : ""));
    grid.append(box);
    const x = { field: "day", type: "temporal", title: null };
    await vegaEmbed(box.children[1], withoutAria({
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      width: 380, height: 160, data: { values: rows },
      layer: [
        { mark: { type: "area", color: "#9db4d3", opacity: 0.6 }, encoding: { x, y: { field: "p5", type: "quantitative", title: "tonnes" }, y2: { field: "p95" } } },
        { mark: { type: "area", color: "#5b7fb1", opacity: 0.7 }, encoding: { x, y: { field: "p25", type: "quantitative" }, y2: { field: "p75" } } },
        { mark: { type: "line", color: "#1b1f24" }, encoding: { x, y: { field: "p50", type: "quantitative" },
          tooltip: [{ field: "day", type: "temporal" }, { field: "p5", format: ",.0f" }, { field: "p50", format: ",.0f" }, { field: "p95", format: ",.0f" }] } },
      ],
      config: { aria: false, axis: { labelColor: "#1b1f24", titleColor: "#1b1f24" } },
    }), { actions: false, renderer: "svg", logLevel: vega.Error });
  }
}

export function renderLog(node, summary, keys, verifyCheckpoint) {
  const cps = summary.checkpoints;
  const latest = cps[cps.length - 1];
  const log = summary.log;
  const out = el("div", { class: "verification" });
  clear(node,
    el("p", {}, latest
      ? `Latest signed checkpoint: ${num(latest.tree_size)} entries, root ${latest.root}, signed ${latest.signed_at}.`
      : "The log has no signed checkpoint yet."),
    el("p", {}, "Log key: ", el("span", { class: "mono" }, log.vkey),
      log.demo ? el("span", { class: "demo-tag" }, " DEMO key (built-in case): it proves the record was not altered, not who runs the log.") : ""),
    el("details", {}, el("summary", {}, `Organisations' keys (${keys.items.length})`),
      el("ul", {}, keys.items.map((k) => el("li", { class: "mono" }, k.vkey,
        k.demo ? el("span", { class: "demo-tag" }, " DEMO") : "")))),
    verifyCheckpoint && latest ? el("button", { type: "button", class: "ev verify", onclick: async (e) => {
      e.target.disabled = true;
      out.textContent = "Checking…";
      try { await verifyCheckpoint(out); } finally { e.target.disabled = false; }
    } }, "Verify the checkpoint in the browser") : "",
    out);
}
