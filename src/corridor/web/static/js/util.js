// Small helpers of the dashboard: elements, names, numbers, dates.

/** An element: el("td", {class: "num"}, "12", child...). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function clear(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

const NUM = new Intl.NumberFormat("en-GB");
export function num(n) { return n === null || n === undefined ? "no report" : NUM.format(n); }

/** A figure that may be disputed: one value, or the values side by side. */
export function figures(values, unit = "") {
  const vs = [...new Set(values ?? [])];
  if (vs.length === 0) return "no report";
  const u = unit ? ` ${unit}` : "";
  if (vs.length === 1) return `${NUM.format(vs[0])}${u}`;
  return `${vs.map((v) => NUM.format(v)).join(" · ")}${u} (sources differ)`;
}

export function range(low, high) {
  if (low === null || low === undefined) return "no report";
  return low === high ? NUM.format(low) : `${NUM.format(low)}–${NUM.format(high)} (sources differ)`;
}

/** The registry's lookups: names of places (every name in use), organisations, routes. */
export class Names {
  constructor(registry) {
    this.places = new Map(registry.places.map((p) => [p.id, p]));
    this.orgs = new Map(registry.organisations.map((o) => [o.id, o]));
    this.routes = new Map(registry.routes.map((r) => [r.id, r]));
    this.checkpoints = new Map(registry.checkpoints.map((c) => [c.id, c]));
  }
  /** A place under every name in use; a checkpoint named where a place may be (a convoy
   * waiting at one) by its name, as the CLI's situation table names it. */
  place(id) {
    const p = this.places.get(id);
    if (!p) return this.checkpoints.get(id)?.name ?? id ?? "";
    return p.names.map((n) => n.name).join(" / ");
  }
  org(id) { return this.orgs.get(id)?.name ?? id; }
  route(id) { return this.routes.get(id)?.name ?? id; }
  checkpoint(id) { return this.checkpoints.get(id)?.name ?? id; }
}

/** "+04:00" / "UTC" → the suffix of an ISO instant. */
export function offsetSuffix(tz) { return !tz || tz === "UTC" ? "Z" : tz; }

export function addDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(a, b) {
  return Math.round((new Date(`${b}T00:00:00Z`) - new Date(`${a}T00:00:00Z`)) / 86400000);
}

/** The calendar day of an ISO instant in the zone `tz` ("+04:00" or "UTC"). */
export function dayIn(instant, tz) {
  const t = new Date(instant).getTime();
  let off = 0;
  const m = /^([+-])(\d\d):(\d\d)$/.exec(tz ?? "");
  if (m) off = (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return new Date(t + off * 60000).toISOString().slice(0, 10);
}

export function shortDate(iso) {
  if (!iso) return "";
  return iso.slice(0, 10);
}

export function statusWord(s) { return s ?? "no report"; }
export function statusClass(s) {
  return s === "open" || s === "restricted" || s === "closed" ? s : "unknown";
}

/** A Vega-Lite spec whose marks carry no ARIA of their own (the page gives each chart a text
 *  alternative: a table or a caption). */
export function withoutAria(spec) {
  if (Array.isArray(spec)) return spec.map(withoutAria);
  if (spec && typeof spec === "object") {
    const out = {};
    for (const [k, v] of Object.entries(spec)) {
      if (k === "datasets" || k === "data") { out[k] = v; continue; }
      out[k] = k === "mark" && typeof v === "object" ? { ...v, aria: false } : withoutAria(v);
    }
    return out;
  }
  return spec;
}

/** What the dashboard's small-multiple charts (Vega-Lite) share: one row per series, its
 *  name as a bold header above it, independent y scales, and the colours of the page (the
 *  table beside each chart is its accessible form: the marks carry no ARIA of their own). */
export function smallMultiples(name, rows, spec) {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    datasets: { [name]: rows },
    data: { name },
    facet: { row: { field: "series", type: "nominal", title: null,
      header: { labelAngle: 0, labelAlign: "left", labelAnchor: "start", labelOrient: "top",
        labelFontSize: 13, labelFontWeight: "bold", labelColor: "#1b1f24" } } },
    resolve: { scale: { y: "independent" } },
    spec,
    config: { aria: false, view: { stroke: "#c9ced6" }, axis: { labelColor: "#1b1f24", titleColor: "#1b1f24" } },
  };
}

/** A time axis over [start, end] for those charts. */
export function timeAxis(field, start, end) {
  return { field, type: "temporal", title: null, scale: { domain: [start, end] },
    axis: { format: "%d %b %Y", labelAngle: 0, tickCount: 6 } };
}

