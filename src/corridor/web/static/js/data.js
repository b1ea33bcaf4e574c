// Where the dashboard's data comes from: the HTTP API when served by `corridor serve` ("api"),
// or the JSON files `corridor site DIR` wrote beside the page ("static": the same shapes, one
// file per call). The mode is the `data-source` attribute of <body>.
//
// Every method returns the API's JSON shape unchanged; the page never reads raw rows in bulk,
// only aggregates (situation, crossings per day) and the observations a figure names.

async function getJson(url, init) {
  const res = await fetch(url, init);
  if (!res.ok) {
    let detail = "";
    try { detail = (await res.json())?.error?.message ?? ""; } catch { /* not JSON */ }
    throw new Error(`${url}: ${res.status} ${detail}`.trim());
  }
  return res.json();
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined) continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Served mode: relative /v1/... calls. */
export class ApiSource {
  constructor(base = "/v1/") {
    this.mode = "api";
    this.base = base;
    this.logBase = `${base}log/`;
  }
  summary(asOf) { return getJson(`${this.base}summary${query({ as_of: asOf })}`); }
  registry() { return getJson(`${this.base}registry`); }
  situation(at, asOf) { return getJson(`${this.base}situation${query({ at, as_of: asOf })}`); }
  daily(start, end, tz, asOf) {
    return getJson(`${this.base}crossings/daily${query({ start, end, tz, as_of: asOf })}`);
  }
  population(at, asOf) { return getJson(`${this.base}population${query({ at, as_of: asOf })}`); }
  commitments(name) { return getJson(`${this.base}commitments${query({ case: name })}`); }
  supply(name) {
    return getJson(`${this.base}supply/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ case: name, runs: 100, seed: 1 }),
    });
  }
  observation(id) { return getJson(`${this.base}observations/${encodeURIComponent(id)}`); }
  keys() { return getJson(`${this.base}keys`); }
  releases() { return getJson(`${this.base}releases`); }
  logKey() { return getJson(`${this.base}log/key`); }
  /** Days the slider may stand on: any (null), or a list (static mode). */
  days() { return null; }
}

/** Static mode: data/*.json written by `corridor site`, the log's tiles under log/. */
export class StaticSource {
  constructor(base = "data/") {
    this.mode = "static";
    this.base = base;
    this.logBase = "log/";
    this._days = null;
  }
  async summary() {
    const s = await getJson(`${this.base}summary.json`);
    this._days = s.site_days ?? null;
    return s;
  }
  registry() { return getJson(`${this.base}registry.json`); }
  situation(at) {
    // the site holds the situation at noon (the case's zone) of each day: the day of `at`
    return getJson(`${this.base}situation/${at.slice(0, 10)}.json`);
  }
  async daily(start, end) {
    const d = await getJson(`${this.base}crossings-daily.json`);
    return clipDaily(d, start, end);
  }
  async population(at) {
    // the site holds every count of its span: the year before `at`, as the server answers
    this._population ??= getJson(`${this.base}population.json`);
    return clipPopulation(await this._population, at, 365);
  }
  commitments(name) { return getJson(`${this.base}commitments/${encodeURIComponent(name)}.json`); }
  supply(name) { return getJson(`${this.base}supply/${encodeURIComponent(name)}.json`); }
  observation(id) { return getJson(`${this.base}observations/${encodeURIComponent(id)}.json`); }
  keys() { return getJson(`${this.base}keys.json`); }
  releases() { return getJson(`${this.base}releases.json`); }
  logKey() { return getJson(`${this.base}log-key.json`); }
  days() { return this._days; }
}

/** A population series document cut to the counts that started in the `days` before `at`
 *  (what GET /v1/population answers for them). */
export function clipPopulation(doc, at, days) {
  const end = new Date(at), start = new Date(end.getTime() - days * 86400000);
  const figures = doc.figures.filter((p) => {
    const t = new Date(p.observed);
    return t >= start && t < end;
  });
  return { at, start: start.toISOString(), figures };
}

/** A crossings-per-day document cut to the days [start, end) (ISO dates); spans kept when
 *  they overlap the window. */
export function clipDaily(d, start, end) {
  const inside = (day) => day >= start && day < end;
  return {
    ...d,
    start,
    end,
    series: d.series.map((s) => ({
      ...s,
      days: s.days.filter((c) => inside(c.day)),
      spans: s.spans.filter((p) => p.start.slice(0, 10) < end && p.end.slice(0, 10) > start),
    })),
  };
}

export function openSource(doc = document) {
  return doc.body.dataset.source === "static" ? new StaticSource() : new ApiSource();
}
