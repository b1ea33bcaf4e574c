// The corridor dashboard. Reads aggregates only (the summary, the registry, the situation at
// the slider's instant, crossings per day over a bounded window, a case's verdicts and supply
// runs) and, on demand, the observations a figure names. When every panel is drawn, <body>
// gets `data-ready` (the time to interactive the browser tests and `python -m corridor.bench
// dashboard` measure); it is cleared while the panels follow the slider and set again after.

import { openSource } from "./data.js";
import { Drawer } from "./drawer.js";
import { renderCrossings } from "./crossings.js";
import { CorridorMap, placeList } from "./map.js";
import { renderCommitments, renderConvoys, renderIncidents, renderLog, renderSupply } from "./panels.js";
import { renderPopulation } from "./population.js";
import { Names, addDays, dayIn, daysBetween, el, offsetSuffix } from "./util.js";
import { verifyCheckpoint, verifyObservation } from "./verify.js";
import { renderVerification } from "./verify-panel.js";

/** Days of crossings the chart shows: the window ending on the slider's day. */
export const WINDOW_DAYS = 90;

const $ = (id) => document.getElementById(id);

class Dashboard {
  constructor(source) {
    this.source = source;
    this.asOf = null;
    this.generation = 0;
    this.checkpoint = null; // a verifyCheckpoint result, once checked
    this.started = false; // every panel drawn once
    this.drawn = false; // the panels that follow the slider drawn for the latest choice
  }

  async start() {
    const [summary, registry, keys, releases] = await Promise.all([
      this.source.summary(), this.source.registry(), this.source.keys(), this.source.releases(),
    ]);
    this.releases = releases.items;
    this.summary = summary;
    this.registry = registry;
    this.keys = keys;
    this.names = new Names(registry);
    this.kase = summary.cases[0] ?? null;
    this.tz = this.kase?.tz ?? "UTC";
    this.header();
    this.days = this.dayList();
    this.drawer = new Drawer(this.source, this.names, (doc, out) => this.verifyOne(doc, out));
    this.map = new CorridorMap($("map"), registry, this.names, (id) => this.openRoute(id));
    placeList(registry, this.names);
    this.controls();
    // asked at once; the panels that follow the slider do not wait for the case's panels
    this.commitments = this.kase ? this.source.commitments(this.kase.name) : Promise.resolve(null);
    const supply = this.kase ? this.source.supply(this.kase.name) : Promise.resolve(null);
    renderLog($("log-panel"), summary, keys, (out) => this.verifyLatest(out));
    await this.map.draw();
    await Promise.all([this.follow(), supply.then((doc) => renderSupply($("supply-panel"), doc))]);
    this.started = true;
    if (this.drawn) document.body.dataset.ready = String(performance.now());
  }

  header() {
    const s = this.summary;
    $("page-title").textContent = this.kase ? `corridor: ${this.kase.title}` : "corridor";
    const span = s.span ? `observed ${s.span.first.slice(0, 10)} to ${s.span.last.slice(0, 10)}` : "no observation yet";
    $("case-line").textContent = `${s.size.toLocaleString("en-GB")} log entries, ${span}` +
      `${this.source.mode === "static" ? " (a static copy written by corridor site)" : ""}.`;
    const demo = $("demo-line");
    if (s.log.demo) {
      demo.hidden = false;
      demo.textContent = "DEMO-signed (built-in case): the log and the reports are signed with DEMO keys " +
        "derived from public seeds. They show the record was not altered, not that any named party signed it.";
    }
    const select = $("as-of");
    if (this.releases.length) {
      select.append(el("optgroup", { label: "Releases" }, [...this.releases].reverse().map((r) =>
        el("option", { value: r.tree_size, dataset: { release: r.number } },
          `release ${r.number}: ${r.tree_size.toLocaleString("en-GB")} entries, ${r.created_at.slice(0, 10)}${r.witnessed ? "" : " (unwitnessed)"} — ${r.notes}`))));
    }
    select.append(el("optgroup", { label: "Signed checkpoints" }, [...s.checkpoints].reverse()
      .filter((cp) => cp.tree_size > 0).map((cp) => el("option", { value: cp.tree_size },
        `checkpoint of ${cp.tree_size.toLocaleString("en-GB")} entries (${cp.signed_at.slice(0, 16).replace("T", " ")} UTC)`))));
    if (this.source.mode === "static") {
      select.disabled = true;
      $("as-of-note").textContent = "A static copy shows the record as written; serve it to choose a checkpoint.";
    }
  }

  dayList() {
    const fixed = this.source.days();
    if (fixed && fixed.length) return fixed;
    const s = this.summary.span;
    if (!s) return [new Date().toISOString().slice(0, 10)];
    const first = dayIn(s.first, this.tz), last = dayIn(s.last, this.tz);
    const n = daysBetween(first, last);
    return Array.from({ length: n + 1 }, (_, i) => addDays(first, i));
  }

  controls() {
    const slider = $("at-slider");
    slider.max = String(this.days.length - 1);
    const demo = this.kase?.demo_dates ?? [];
    const want = demo.length ? dayIn(demo[demo.length - 1], this.tz) : this.days[this.days.length - 1];
    const i = this.days.indexOf(want);
    slider.value = String(i >= 0 ? i : this.days.length - 1);
    this.showValue();
    let timer = null;
    const later = () => {
      delete document.body.dataset.ready; // not ready while a redraw is pending
      clearTimeout(timer);
      timer = setTimeout(() => this.follow(), 180);
    };
    slider.addEventListener("input", () => { this.showValue(); later(); });
    const step = (d) => {
      slider.value = String(Math.min(this.days.length - 1, Math.max(0, Number(slider.value) + d)));
      this.showValue();
      later();
    };
    $("at-prev").addEventListener("click", () => step(-1));
    $("at-next").addEventListener("click", () => step(1));
    $("as-of").addEventListener("change", (e) => {
      this.asOf = e.target.value === "" ? null : Number(e.target.value);
      const release = this.releases.find((r) => String(r.number) === e.target.selectedOptions[0]?.dataset.release);
      $("as-of-note").textContent = this.asOf === null ? ""
        : release ? `As of release ${release.number}: ${release.citation}`
          : `As the record stood at ${this.asOf.toLocaleString("en-GB")} entries (a signed checkpoint).`;
      this.follow();
    });
  }

  day() { return this.days[Number($("at-slider").value)]; }
  instant() { return `${this.day()}T12:00:00${offsetSuffix(this.tz)}`; }

  showValue() {
    const v = $("at-value");
    v.textContent = `${this.day()} 12:00 (${this.tz})`;
    $("at-slider").setAttribute("aria-valuetext", v.textContent);
  }

  /** Redraw what follows the slider and the "as of" choice; the latest call wins. */
  async follow() {
    const gen = ++this.generation;
    this.drawn = false;
    delete document.body.dataset.ready;
    const at = this.instant();
    const end = addDays(this.day(), 1), start = addDays(end, -WINDOW_DAYS);
    const [sit, daily, commitments, population] = await Promise.all([
      this.source.situation(at, this.asOf),
      this.source.daily(start, end, this.tz, this.asOf),
      this.commitments,
      this.source.population(at, this.asOf),
    ]);
    if (gen !== this.generation) return;
    this.sit = sit;
    this.map.update(sit);
    const open = (args) => this.drawer.open(args);
    renderConvoys($("convoy-board"), sit, this.names, open);
    renderIncidents($("incident-list"), sit, this.names, open);
    renderCommitments($("commitments-panel"), commitments, this.names, at, open);
    $("crossings-window").textContent = `The ${WINDOW_DAYS} days from ${start} to ${this.day()} (days in ${this.tz}); move the slider to see others.`;
    const [view, populationView] = await Promise.all([
      renderCrossings($("crossings-chart"), $("crossings-table"), daily, this.names,
        (row) => this.openFigure(row)),
      renderPopulation($("population-panel"), sit, population, this.names, open),
    ]);
    if (gen !== this.generation) return;
    window.corridorDashboard = {
      crossingsView: view, daily, situation: sit, instant: at, asOf: this.asOf, populationView, population,
    };
    this.drawn = true;
    // ready once every panel is drawn: at the start, the supply fans too
    if (this.started) document.body.dataset.ready = String(performance.now());
  }

  openFigure(row) {
    const when = row.kind === "span" ? `${row.start} to ${row.end}` : row.day;
    this.drawer.open({
      title: `${row.series}, ${when}`,
      ids: row.evidence,
      lines: [`${row.figure}.`, row.sources ? `Figures: ${row.sources}.` : ""].filter(Boolean),
    });
  }

  openRoute(id) {
    const r = this.sit?.routes.find((x) => x.route === id);
    this.drawer.open({
      title: `${this.names.route(id)} at ${this.day()}`,
      ids: r?.evidence ?? [],
      attestations: this.sit?.attestations ?? {},
      lines: [r?.status ? `Status: ${r.status}${r.since ? ` since ${r.since.slice(0, 10)}` : ""}.`
        : "No report of this route's status before this instant: its status is unknown."],
    });
  }

  async checkpointResult() {
    if (!this.checkpoint) {
      const logKey = this.source.mode === "static"
        ? { ...(await this.source.logKey()), source: "the log key published with this static copy (data/log-key.json)" }
        : undefined;
      this.checkpoint = await verifyCheckpoint({ logBase: this.source.logBase, logKey });
    }
    return this.checkpoint;
  }

  async verifyLatest(out) {
    this.checkpoint = null;
    renderVerification(out, await this.checkpointResult());
  }

  async verifyOne(doc, out) {
    const checkpoint = await this.checkpointResult();
    const result = await verifyObservation({
      logBase: this.source.logBase, index: doc.log_index, checkpoint, keys: this.keys, observation: doc,
    });
    renderVerification(out, result);
  }
}

const board = new Dashboard(openSource());
board.start().catch((e) => {
  const p = $("load-error");
  p.hidden = false;
  p.textContent = `The dashboard could not load the record: ${e.message}`;
  console.error(e);
});
