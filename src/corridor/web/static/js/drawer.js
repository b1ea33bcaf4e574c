// The evidence drawer: the observations behind a figure, each with its sources (title, url,
// date, whose claim), reporter, signers (DEMO keys labelled), corroborations and disputes, and
// a "verify" action (in-browser verification, js/verify.js) when the page offers one.

import { clear, el } from "./util.js";

const SHOWN = 20; // observations fetched at once; "show more" fetches the next ones

export class Drawer {
  /** `verifier(observationDoc, element)`: checks one observation and renders the result (or
   *  null: no verify action). */
  constructor(source, names, verifier = null) {
    this.source = source;
    this.names = names;
    this.verifier = verifier;
    this.root = document.getElementById("drawer");
    this.body = document.getElementById("drawer-body");
    this.heading = document.getElementById("drawer-h");
    this.opener = null;
    document.getElementById("drawer-close").addEventListener("click", () => this.close());
    this.root.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); this.close(); }
      if (e.key === "Tab") this.trap(e);
    });
  }

  trap(e) {
    const f = [...this.root.querySelectorAll("button, a[href], [tabindex='0'], summary")]
      .filter((x) => !x.closest("[hidden]"));
    if (f.length === 0) return;
    const first = f[0], last = f[f.length - 1];
    if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
  }

  close() {
    this.root.hidden = true;
    document.body.classList.remove("drawer-open");
    if (this.opener && document.contains(this.opener)) this.opener.focus();
  }

  /** Open on `title`, listing the observations `ids`; `lines` say what the figure is;
   *  `attestations` (id → summary, as the situation gives them) are used until each
   *  observation's own document arrives. */
  async open({ title, ids = [], lines = [], attestations = {} }) {
    this.opener = document.activeElement;
    this.root.hidden = false;
    document.body.classList.add("drawer-open");
    this.heading.textContent = title;
    const list = el("div", { class: "obs-list", "aria-live": "polite" });
    const unique = [...new Set(ids)];
    clear(this.body,
      ...lines.map((l) => el("p", {}, l)),
      el("p", { class: "hint" }, unique.length === 0
        ? "No observation stands behind this: nothing was reported."
        : `${unique.length} observation${unique.length === 1 ? "" : "s"} behind this figure:`),
      list);
    this.heading.focus();
    await this.more(list, unique, 0, attestations);
  }

  async more(list, ids, from, attestations) {
    const part = ids.slice(from, from + SHOWN);
    const docs = await Promise.all(part.map((id) => this.source.observation(id).catch((e) => ({
      id, error: e.message,
    }))));
    for (const d of docs) list.append(this.card(d, attestations[d.id]));
    if (from + SHOWN < ids.length) {
      const btn = el("button", { type: "button", class: "ev" },
        `Show ${Math.min(SHOWN, ids.length - from - SHOWN)} more of ${ids.length - from - SHOWN}`);
      btn.addEventListener("click", async () => {
        btn.remove();
        await this.more(list, ids, from + SHOWN, attestations);
      });
      list.append(btn);
    }
  }

  card(doc, fallback) {
    const n = this.names;
    if (doc.error) {
      return el("article", { class: "obs" }, el("h3", {}, doc.id.slice(0, 12)),
        el("p", { class: "error" }, `Could not read it: ${doc.error}`));
    }
    const body = doc.body ?? {};
    const what = [doc.type, body.route && n.route(body.route), body.checkpoint && n.checkpoint(body.checkpoint),
      body.place && n.place(body.place), body.direction, body.category, body.status, body.state]
      .filter(Boolean).join(" · ");
    const observed = doc.observed?.end
      ? `${doc.observed.start} to ${doc.observed.end}` : doc.observed?.start;
    const sources = el("ul", { class: "sources" }, (doc.sources ?? []).map((s) => el("li", {},
      s.url ? el("a", { href: s.url, rel: "noopener noreferrer", target: "_blank" }, s.title || s.url)
        : (s.title || "untitled source"),
      s.date ? ` (${s.date})` : "",
      s.claim_of ? el("span", { class: "claim" }, ` — the claim of ${n.org(s.claim_of)}`) : "")));
    const demo = doc.signature_note
      ? el("span", { class: "demo-tag" }, ` DEMO-signed (built-in case): ${doc.signature_note}`) : "";
    const att = doc.attestations ?? fallback;
    const statements = [];
    for (const a of att?.corroborated_by ?? []) {
      statements.push(el("li", {}, el("strong", {}, "corroborated"), ` by ${n.org(a.by)}`,
        a.reason ? `: ${a.reason}` : ""));
    }
    for (const a of att?.disputed_by ?? []) {
      statements.push(el("li", {}, el("strong", {}, "disputed"), ` by ${n.org(a.by)}`,
        a.field ? ` (${a.field}${a.figure !== undefined ? `: ${a.figure}` : ""})` : "",
        a.reason ? `: ${a.reason}` : ""));
    }
    const figure = [body.count !== undefined && `count ${body.count}`,
      body.vehicles !== undefined && body.vehicles !== null && `vehicles ${body.vehicles}`,
      Array.isArray(body.cargo) && body.cargo.length
        && `cargo ${body.cargo.map((c) => `${c.tonnes} t ${c.kind ?? ""}`.trim()).join(", ")}`,
      body.killed != null && `killed ${body.killed}`, body.injured != null && `injured ${body.injured}`,
      body.persons != null && `persons ${body.persons}`, body.text]
      .filter(Boolean).join("; ");
    const card = el("article", { class: "obs", dataset: { id: doc.id } },
      el("h3", {}, what || doc.type),
      el("dl", {},
        el("dt", {}, "Observed"), el("dd", {}, observed ?? ""),
        figure ? [el("dt", {}, "Says"), el("dd", {}, figure)] : [],
        el("dt", {}, "Sources"), el("dd", {}, sources),
        el("dt", {}, "Reporter"), el("dd", {}, n.org(doc.reporter)),
        el("dt", {}, "Signed by"), el("dd", {}, (doc.signed_by ?? []).map((s) => n.org(s)).join(", "), demo),
        (doc.caveats ?? []).length ? [el("dt", {}, "Caveats"), el("dd", {}, doc.caveats.join("; "))] : [],
        el("dt", {}, "Statements"), el("dd", {}, statements.length
          ? el("ul", {}, statements) : "no corroboration or dispute recorded"),
        el("dt", {}, "Log entry"), el("dd", { class: "mono" }, `#${doc.log_index} · ${doc.id}`)));
    if (this.verifier) {
      const out = el("div", { class: "verification" });
      const btn = el("button", { type: "button", class: "ev verify" }, "Verify this observation in the browser");
      btn.addEventListener("click", async () => {
        btn.disabled = true;
        out.textContent = "Checking…";
        try { await this.verifier(doc, out); } finally { btn.disabled = false; }
      });
      card.append(btn, out);
    }
    return card;
  }
}
