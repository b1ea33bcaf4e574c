// The standalone verifier (verify.html): verify an observation by id or log index.
// URL parameters: id= or index= (verify at once), key= (the log's vkey), log= (the log's C2SP
// prefix, default /v1/log/), api= (the API prefix, default /v1/; empty for a static export,
// where only a log index can be verified and the keys are read from the export's `keys` file).

import { fetchKeys, verifyCheckpoint, verifyObservation } from "./verify.js";
import { renderVerification } from "./verify-panel.js";

const params = new URLSearchParams(location.search);
const logBase = params.get("log") ?? "/v1/log/";
const apiBase = params.get("api") ?? "/v1/";
const form = document.getElementById("verify-form");
const what = document.getElementById("verify-what");
const keyInput = document.getElementById("verify-key");
const cpPanel = document.getElementById("verify-checkpoint");
const obsPanel = document.getElementById("verify-observation");

async function loadKeys() {
  if (apiBase) {
    try {
      return { keys: await fetchKeys(`${apiBase}keys`), source: "this log's registry (/v1/keys)" };
    } catch {
      /* a static export: fall back to its keys file */
    }
  }
  return { keys: await fetchKeys(`${logBase}keys`), source: `the keys file of this export (${logBase}keys)` };
}

function failure(what, detail) {
  return { kind: "observation", ok: false, checks: [{ what, ok: false, detail }], checked: [], notChecked: [], error: detail };
}

async function run(target, logKey) {
  document.body.dataset.state = "running";
  obsPanel.replaceChildren();
  // remembered per log key in this browser: each visit checks the log only grew since the last
  const checkpoint = await verifyCheckpoint({ logBase, logKey: logKey || undefined, remember: true });
  renderVerification(cpPanel, checkpoint);
  let index;
  let observation;
  if (/^[0-9]+$/.test(target)) {
    index = Number(target);
  } else if (apiBase) {
    const resp = await fetch(`${apiBase}observations/${encodeURIComponent(target)}`);
    if (!resp.ok) {
      renderVerification(obsPanel, failure("the observation", `no observation ${target} on this server (${resp.status})`));
      document.body.dataset.state = "done";
      return;
    }
    observation = await resp.json();
    index = observation.log_index;
  } else {
    renderVerification(obsPanel, failure("the observation", "a static export is searched by log index only"));
    document.body.dataset.state = "done";
    return;
  }
  let keys;
  let keysSource;
  try {
    ({ keys, source: keysSource } = await loadKeys());
  } catch (e) {
    keys = [];
    keysSource = `no registry (${e.message})`;
  }
  const result = await verifyObservation({ logBase, index, checkpoint, keys, keysSource, observation });
  renderVerification(obsPanel, result);
  document.body.dataset.state = "done";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const target = what.value.trim();
  const url = new URL(location.href);
  url.searchParams.delete("index");
  url.searchParams.set("id", target);
  history.replaceState(null, "", url);
  run(target, keyInput.value.trim());
});

const initial = params.get("id") ?? params.get("index");
if (params.get("key")) keyInput.value = params.get("key");
if (initial) {
  what.value = initial;
  run(initial, keyInput.value.trim());
}
