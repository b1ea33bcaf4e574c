// Renders a verification result (verify.js) accessibly: a status line, the list of checks with
// a mark AND a word each (never colour alone), the keys checked against, and a plain summary
// "Checked: … Not checked: …". Built with DOM calls only (no HTML from the data). Styles:
// css/verify.css (optional). ES module, no dependencies.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

const MARKS = {
  true: { mark: "\u2713", word: "Passed", cls: "verify-ok" },
  false: { mark: "\u2717", word: "Failed", cls: "verify-fail" },
  null: { mark: "\u2013", word: "Not checked", cls: "verify-skip" },
};

function mark(ok) {
  return MARKS[ok === true ? "true" : ok === false ? "false" : "null"];
}

/** The one-line verdict of a result. */
export function verdict(result) {
  if (result.ok) {
    return result.kind === "checkpoint"
      ? `Verified: the log's checkpoint of ${result.size} entries is signed by its key.`
      : `Verified: entry ${result.index} is in the signed log and its signatures are valid.`;
  }
  if (result.pending) return `Not yet verifiable: entry ${result.index} is newer than the latest signed checkpoint.`;
  return `Verification FAILED: ${result.error ?? "a check did not pass"}.`;
}

/** "Checked: … against key …. Not checked: …" in plain words. */
export function summary(result) {
  const checked = result.checked?.length ? `Checked: ${result.checked.join("; ")}.` : "Checked: nothing.";
  const not = result.notChecked?.length ? ` Not checked: ${result.notChecked.join("; ")}.` : "";
  return checked + not;
}

function keysList(result) {
  const cp = result.kind === "checkpoint" ? result : result.checkpoint;
  const items = [];
  if (cp?.keyName) {
    items.push(el("dt", {}, "Log key"));
    items.push(el("dd", {},
      el("code", { class: "verify-key" }, `${cp.keyName}+${cp.keyId}`),
      cp.demo ? el("strong", { class: "verify-demo" }, " DEMO key") : null,
      cp.keySource ? ` — ${cp.keySource}` : null,
      result.kind === "checkpoint" && result.vkey ? el("br") : null,
      result.kind === "checkpoint" && result.vkey ? el("code", { class: "verify-vkey" }, result.vkey) : null));
  }
  for (const s of result.signers ?? []) {
    items.push(el("dt", {}, `Signer ${s.org}`));
    items.push(el("dd", {},
      el("code", { class: "verify-key" }, `${s.org}+${s.keyId}`),
      s.demo ? el("strong", { class: "verify-demo" }, " DEMO key") : null,
      s.vkey ? ` — registered key ${s.vkey}` : " — no registered key found"));
  }
  for (const c of result.cosignatures ?? []) {
    items.push(el("dt", {}, `Witness ${c.name}`));
    items.push(el("dd", {}, el("code", { class: "verify-key" }, `${c.name}+${c.keyId}`),
      c.verified === true ? " — cosignature verified" : c.verified === false ? " — cosignature FAILED" : " — key unknown, not checked"));
  }
  return items.length ? el("dl", { class: "verify-keys" }, ...items) : null;
}

/** Render `result` (from verifyCheckpoint or verifyObservation) into `element`, replacing its
 *  content. Returns the element. */
export function renderVerification(element, result) {
  const state = result.ok ? "ok" : result.pending ? "pending" : "fail";
  element.replaceChildren();
  element.classList.add("verify-panel");
  element.dataset.verified = state;
  const head = mark(result.ok ? true : result.pending ? null : false);
  const title = result.kind === "checkpoint"
    ? "Checkpoint verification"
    : `Verification of entry ${result.index}${result.id ? ` (observation ${result.id.slice(0, 12)}…)` : ""}`;
  const parts = [
    el("h3", {}, title),
    el("p", { class: `verify-verdict ${head.cls}`, role: "status" },
      el("span", { "aria-hidden": "true" }, `${head.mark} `), verdict(result)),
    el("ul", { class: "verify-checks" }, ...(result.checks ?? []).map((c) => {
      const m = mark(c.ok);
      return el("li", { class: m.cls, "data-ok": String(c.ok) },
        el("span", { class: "verify-mark", "aria-hidden": "true" }, m.mark),
        " ", el("strong", {}, `${m.word}:`), ` ${c.what}`,
        c.detail ? el("span", { class: "verify-detail" }, ` — ${c.detail}`) : null);
    })),
    keysList(result),
    el("p", { class: "verify-summary" }, summary(result)),
  ];
  element.append(...parts.filter(Boolean));
  return element;
}
