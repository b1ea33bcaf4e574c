// The map (Leaflet, no tile server): Natural Earth boundaries clipped to the case area as a plain
// background, each route drawn through its places and styled by its status at the slider's
// instant (colour AND dash pattern, and the route list beside the map says it in words),
// checkpoints, and places labelled with every name in use.

import { clear, el, statusClass, statusWord } from "./util.js";

const STYLE = {
  open: { color: "#1a7f37", dashArray: null, weight: 5 },
  restricted: { color: "#9a6700", dashArray: "10 6", weight: 5 },
  closed: { color: "#b42318", dashArray: "2 7", weight: 6 },
  unknown: { color: "#57606a", dashArray: "4 8", weight: 3 },
};
const LEGEND = [
  ["open", "open"], ["restricted", "restricted (some may pass)"], ["closed", "closed"],
  ["unknown", "no report (status unknown)"],
];

export class CorridorMap {
  constructor(element, registry, names, onRoute) {
    this.names = names;
    this.registry = registry;
    this.onRoute = onRoute;
    this.map = L.map(element, { zoomSnap: 0.25, attributionControl: true, preferCanvas: false });
    this.map.setView([39.75, 46.6], 9); // Leaflet draws layers only once the map has a view
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution("Boundaries: Natural Earth (public domain)");
    this.lines = new Map();
    this.legend();
  }

  async draw() {
    try {
      const res = await fetch("vendor/world-atlas/lachin-area.geojson");
      if (res.ok) {
        L.geoJSON(await res.json(), {
          interactive: false,
          style: { color: "#8c959f", weight: 1, fillColor: "#fbfbf7", fillOpacity: 1 },
        }).addTo(this.map);
      }
    } catch { /* the base layer is decoration: the routes are drawn without it */ }
    const coords = (id) => {
      const p = this.names.places.get(id);
      return p && p.lat !== null && p.lat !== undefined ? [p.lat, p.lon] : null;
    };
    const bounds = [];
    for (const r of this.registry.routes) {
      const pts = r.places.map(coords).filter(Boolean);
      if (pts.length < 2) continue;
      bounds.push(...pts);
      const line = L.polyline(pts, { ...STYLE.unknown, className: `route route-${r.id}` }).addTo(this.map);
      line.on("click", () => this.onRoute(r.id));
      line.bindTooltip(r.name, { sticky: true });
      this.lines.set(r.id, line);
    }
    for (const p of this.registry.places) {
      const at = coords(p.id);
      if (!at) continue;
      const label = this.names.place(p.id);
      const isCheckpoint = this.registry.checkpoints.some((c) => c.place === p.id);
      L.circleMarker(at, {
        radius: isCheckpoint ? 7 : 4, color: "#1b1f24", weight: isCheckpoint ? 3 : 1,
        fillColor: isCheckpoint ? "#ffffff" : "#1b1f24", fillOpacity: 1,
        className: `place place-${p.id}${isCheckpoint ? " checkpoint" : ""}`,
      }).addTo(this.map).bindTooltip(isCheckpoint ? `Checkpoint: ${label}` : label, {
        permanent: p.kind === "town" || isCheckpoint, direction: "right", className: "place-label",
      });
    }
    if (bounds.length) this.map.fitBounds(bounds, { padding: [30, 30] });
  }

  legend() {
    clear(document.getElementById("map-legend"),
      LEGEND.map(([k, text]) => el("li", {}, el("span", { class: `swatch ${k}`, "aria-hidden": "true" }), text)),
      el("li", {}, el("span", { "aria-hidden": "true" }, "○"), "checkpoint"),
      el("li", {}, el("span", { "aria-hidden": "true" }, "●"), "place (every name in use)"));
  }

  /** Style each route by its status in `situation` and list it in words. */
  update(situation) {
    const list = document.getElementById("route-list");
    const items = [];
    for (const r of this.registry.routes) {
      const s = situation.routes.find((x) => x.route === r.id);
      const status = s?.status ?? null;
      const k = statusClass(status);
      const line = this.lines.get(r.id);
      if (line) {
        line.setStyle(STYLE[k]);
        const path = line.getElement();
        if (path) { path.dataset.status = statusWord(status); path.setAttribute("class", `leaflet-interactive route route-${r.id} status-${k}`); }
      }
      const since = s?.since ? ` since ${s.since.slice(0, 10)}` : "";
      const where = s?.place ? ` at ${this.names.place(s.place)}` : "";
      const who = s?.who_may_pass?.length ? `; may pass: ${s.who_may_pass.map((o) => this.names.org(o)).join(", ")}` : "";
      const conflict = s?.conflicting?.length ? " (reports conflict)" : "";
      items.push(el("li", { dataset: { route: r.id, status: statusWord(status) } },
        el("span", { class: `swatch ${k}`, "aria-hidden": "true" }), " ",
        el("button", { type: "button", class: "fig", onclick: () => this.onRoute(r.id) },
          r.name, ": ", el("span", { class: `status ${k}` }, statusWord(status))),
        `${since}${where}${who}${conflict}`));
    }
    clear(list, items);
  }
}

export function placeList(registry, names) {
  clear(document.getElementById("place-list"), registry.places.map((p) => el("li", {},
    el("strong", {}, names.place(p.id)),
    p.names.some((n) => n.used_by) ? ` — ${p.names.map((n) => `${n.name}${n.used_by ? ` (${n.used_by})` : ""}`).join("; ")}` : "",
    p.note ? ` — ${p.note}` : "")));
}
