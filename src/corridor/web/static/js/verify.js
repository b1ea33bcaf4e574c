// Verification in the browser: the log's latest signed checkpoint, an observation's inclusion
// under it (recomputed from the log's C2SP tiles), and its reporters' Ed25519 signatures, with
// WebCrypto only. Every result says in plain sentences what was checked, against which key, and
// what was not. ES module, no dependencies, no build step. See docs/verification.md.
//
//   verifyCheckpoint({logBase, logKey?, witnessKeys?})            -> checkpoint result
//   verifyObservation({logBase, index, entry?, checkpoint, keys, observation?}) -> result
//
// `logBase` is the URL prefix of the log's C2SP files, ending in "/": "/v1/log/" under
// `corridor serve`, or the folder of a `corridor log export` on any static host.

import {
  COSIGNATURE_V1,
  ED25519,
  HASH_SIZE,
  TILE_WIDTH,
  canonicalJson,
  cosignedMessage,
  ed25519Verify,
  entriesPath,
  equalBytes,
  frameEntry,
  fromBase64,
  leafHash,
  parseBundle,
  parseCheckpoint,
  parseNote,
  parseVkey,
  rootFromInclusionProof,
  sha256,
  tilePath,
  tileWidth,
  toBase64,
  toHex,
  utf8,
  verifyConsistency,
} from "./tlog.js";

import { TileReader, fetchBytes, fetchTileBytes } from "./tiles.js";

export * from "./tlog.js";

/** Fields the API adds to an observation beside its signed content (app/shapes.py). */
const API_FIELDS = new Set([
  "id", "log_index", "signed_by", "signature_note", "personal", "attestations", "status",
  "superseded_by", "retracted_by", "proof",
]);

const DEMO_NOTE = "a DEMO key, derived from a public seed: it shows the record is intact, not who signed it";

function base(logBase) {
  const b = logBase ?? "/v1/log/";
  return b.endsWith("/") ? b : b + "/";
}

// ---------------------------------------------------------------------------------------------
// keys

/** Normalise organisation keys: the /v1/keys shape ({items: [{org, vkey, demo}]}), a list of
 *  such items, or the text of an export's `keys` file (DEMO keys marked by its comments). */
export function normaliseKeys(keys) {
  if (!keys) return [];
  if (typeof keys === "string") return parseKeysFile(keys);
  const items = Array.isArray(keys) ? keys : keys.items ?? [];
  return items.map((k) => (typeof k === "string" ? { org: k.split("+", 1)[0], vkey: k, demo: false } : k));
}

/** Parse an export's `keys` file: one vkey a line; "# <org>: DEMO key" comments label DEMO keys. */
export function parseKeysFile(text) {
  const demo = new Set();
  const out = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const m = /^#\s*([^:\s]+):\s*DEMO key/.exec(line);
    if (m) demo.add(m[1]);
    if (!line || line.startsWith("#")) continue;
    const org = line.split("+", 1)[0];
    out.push({ org, vkey: line, demo: demo.has(org) });
  }
  return out;
}

/** Fetch organisation keys from a URL: JSON in the /v1/keys shape, or a `keys` file. */
export async function fetchKeys(url) {
  const text = new TextDecoder().decode(await fetchBytes(url));
  const trimmed = text.trimStart();
  return normaliseKeys(trimmed.startsWith("{") || trimmed.startsWith("[") ? JSON.parse(text) : text);
}

async function keyRing(keys) {
  const ring = new Map();
  const problems = [];
  for (const k of normaliseKeys(keys)) {
    try {
      const v = await parseVkey(k.vkey, ED25519);
      if (v.name !== k.org) throw new Error(`the key is named ${v.name}, not after the organisation ${k.org}`);
      ring.set(`${v.name}+${v.keyIdHex}`, { ...v, demo: Boolean(k.demo) });
    } catch (e) {
      problems.push(`key of ${k.org}: ${e.message}`);
    }
  }
  return { ring, problems };
}

// ---------------------------------------------------------------------------------------------
// checkpoint

async function resolveLogKey(logBase, logKey) {
  if (logKey) {
    const given = typeof logKey === "string" ? { vkey: logKey } : logKey;
    return {
      vkey: given.vkey,
      demo: Boolean(given.demo),
      source: given.source ?? "the log key given to this page",
      sameServer: false,
    };
  }
  const url = `${logBase}key`;
  let doc;
  try {
    doc = JSON.parse(new TextDecoder().decode(await fetchBytes(url)));
  } catch (e) {
    throw new Error(`give the page the log's verifier key: this host serves none (${e.message})`);
  }
  if (!doc || typeof doc.vkey !== "string") throw new Error(`${url} holds no "vkey"`);
  return {
    vkey: doc.vkey,
    demo: Boolean(doc.demo),
    source: `the log key served by this server at ${url}`,
    sameServer: true,
  };
}

const REMEMBER_PREFIX = "corridor.verified-checkpoint:";

function storageOf(storage) {
  try {
    return storage ?? globalThis.localStorage ?? null;
  } catch {
    return null; // storage blocked by the browser
  }
}

/** The checkpoint this browser last verified with the log key `name+keyId`: {size, rootHash,
 *  seen} or null. */
export function rememberedCheckpoint(keyName, keyId, storage) {
  try {
    const text = storageOf(storage)?.getItem(`${REMEMBER_PREFIX}${keyName}+${keyId}`);
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

function remember(result, storage) {
  try {
    storageOf(storage)?.setItem(`${REMEMBER_PREFIX}${result.keyName}+${result.keyId}`,
      JSON.stringify({ size: result.size, rootHash: result.rootHash, seen: new Date().toISOString() }));
  } catch {
    /* storage full or blocked: nothing remembered */
  }
}

async function checkPrevious(out, logBase, cp, previous) {
  const what = "consistency with the checkpoint seen before";
  const old = previous.size;
  const when = previous.seen ? ` on ${previous.seen}` : "";
  let oldRoot;
  try {
    oldRoot = fromBase64(previous.rootHash);
    if (oldRoot.length !== HASH_SIZE || !Number.isSafeInteger(old) || old < 0) throw new Error();
  } catch {
    out.checks.push({ what, ok: false, detail: "the checkpoint seen before is malformed" });
    return;
  }
  if (old > cp.size) {
    out.checks.push({ what, ok: false, detail: `the log now signs a tree of size ${cp.size}, smaller than the size ${old} seen before${when}: the log went back, or shows different readers different logs` });
    return;
  }
  const tiles = new TileReader(logBase, cp.size);
  let proof = [];
  try {
    if (old !== 0 && old !== cp.size) proof = await tiles.consistency(old);
    await verifyConsistency(old, cp.size, oldRoot, cp.root, proof);
  } catch (e) {
    out.checks.push({ what, ok: false, detail: `${e.message}: the tree of size ${old} seen before${when} (root ${previous.rootHash}) is not a prefix of this one; the log rewrote its history, or shows different readers different logs${out.demo ? " (a DEMO log made again from scratch does this too)" : ""}` });
    return;
  }
  out.consistency = { old, oldRoot: previous.rootHash, proof: proof.map(toBase64) };
  const detail = old === cp.size
    ? `the same tree (size ${old}, root ${previous.rootHash}) as the checkpoint seen before${when}`
    : `the tree of size ${cp.size} extends the tree of size ${old} (root ${previous.rootHash}) seen before${when}: ${proof.length} hashes from ${tiles.paths.join(", ")}`;
  out.checks.push({ what, ok: true, detail });
  out.checked.push(`the log's tree of size ${cp.size} extends the tree of size ${old} verified before${when} (consistency proof recomputed from the tiles)`);
}

/** Fetch `${logBase}checkpoint` and verify the log's Ed25519 signature on it; list (and, with
 *  `witnessKeys` — cosignature vkeys — verify) witness cosignatures. With `previous` ({size,
 *  rootHash} of a checkpoint verified before) also check, from the tiles, that this tree extends
 *  that one; with `remember: true` the previous one is the checkpoint this browser last verified
 *  with the same key (localStorage, or `storage`), and a verified checkpoint is remembered.
 *  Never throws. */
export async function verifyCheckpoint({ logBase, logKey, witnessKeys = [], previous, remember: keep = false, storage } = {}) {
  const b = base(logBase);
  const out = {
    kind: "checkpoint", ok: false, size: null, rootHash: null, origin: null, keyName: null,
    keyId: null, vkey: null, keySource: null, demo: false, url: `${b}checkpoint`, body: null,
    cosignatures: [], checks: [], checked: [], notChecked: [],
  };
  const fail = (what, detail) => {
    out.checks.push({ what, ok: false, detail });
    out.error = detail;
    out.notChecked.push("the checkpoint: it did not verify, so nothing that rests on it is checked");
    return out;
  };
  let key;
  try {
    key = await resolveLogKey(b, logKey);
    const v = await parseVkey(key.vkey, ED25519);
    Object.assign(out, { keyName: v.name, keyId: v.keyIdHex, vkey: v.vkey, keySource: key.source, demo: key.demo });
    key.parsed = v;
  } catch (e) {
    return fail("the log's key", `no usable log key: ${e.message}`);
  }
  let note;
  try {
    const bytes = await fetchBytes(out.url);
    note = parseNote(bytes);
  } catch (e) {
    return fail("the checkpoint", e.message);
  }
  const v = key.parsed;
  const own = note.signatures.filter((s) => s.name === v.name && s.keyIdHex === v.keyIdHex);
  if (own.length === 0) {
    const by = [...new Set(note.signatures.map((s) => `${s.name}+${s.keyIdHex}`))].join(", ");
    return fail("the log's signature", `the checkpoint is not signed by the log key ${v.name}+${v.keyIdHex} (signed by ${by})`);
  }
  for (const s of own) {
    if (!(await ed25519Verify(v.publicKey, utf8(note.text), s.signature))) {
      return fail("the log's signature", `the signature by the log key ${v.name}+${v.keyIdHex} does not verify: the checkpoint was altered or signed by another key`);
    }
  }
  let cp;
  try {
    cp = parseCheckpoint(note.text);
  } catch (e) {
    return fail("the checkpoint", e.message);
  }
  if (cp.origin !== v.name) {
    return fail("the checkpoint's origin", `the checkpoint's origin is ${cp.origin}, but the log key is named ${v.name}`);
  }
  Object.assign(out, { origin: cp.origin, size: cp.size, rootHash: toBase64(cp.root), body: note.text });
  const demo = key.demo ? ` (${DEMO_NOTE})` : "";
  out.checks.push({
    what: "the log's signature on the checkpoint",
    ok: true,
    detail: `Ed25519 signature by ${v.name} with key ${v.keyIdHex}${demo}, taken from ${key.source}`,
  });
  out.checked.push(
    `the checkpoint (tree size ${cp.size}, root ${out.rootHash}) is signed by the log key ${v.name}+${v.keyIdHex}, taken from ${key.source}${demo}`,
  );
  if (key.sameServer) {
    out.notChecked.push(
      `that ${v.name}+${v.keyIdHex} is the log operator's real key: it came from the server being checked; compare it with the key published elsewhere (docs/verification.md)`,
    );
  }
  const before = previous ?? (keep ? rememberedCheckpoint(v.name, v.keyIdHex, storage) : null);
  out.previous = before ?? null;
  if (before) await checkPrevious(out, b, cp, before);
  // witness cosignatures (C2SP tlog-cosignature v1)
  const witnesses = new Map();
  for (const w of witnessKeys) {
    try {
      const wv = await parseVkey(typeof w === "string" ? w : w.vkey, COSIGNATURE_V1);
      witnesses.set(`${wv.name}+${wv.keyIdHex}`, wv);
    } catch (e) {
      out.checks.push({ what: "a witness key", ok: false, detail: e.message });
    }
  }
  for (const s of note.signatures) {
    if (s.name === v.name && s.keyIdHex === v.keyIdHex) continue;
    const wv = witnesses.get(`${s.name}+${s.keyIdHex}`);
    const cos = { name: s.name, keyId: s.keyIdHex, timestamp: null, verified: null };
    if (s.signature.length === 72) {
      let t = 0;
      for (let i = 0; i < 8; i++) t = t * 256 + s.signature[i];
      cos.timestamp = t;
    }
    if (wv) {
      cos.verified = cos.timestamp !== null &&
        (await ed25519Verify(wv.publicKey, cosignedMessage(note.text, cos.timestamp), s.signature.subarray(8)));
      out.checks.push({
        what: `cosignature by witness ${s.name}`,
        ok: cos.verified,
        detail: cos.verified
          ? `cosigned at ${new Date(cos.timestamp * 1000).toISOString()} with key ${s.keyIdHex}`
          : `the cosignature by ${s.name}+${s.keyIdHex} does not verify`,
      });
      if (cos.verified) out.checked.push(`witness ${s.name} (key ${s.keyIdHex}) cosigned this checkpoint`);
    } else {
      out.notChecked.push(`the signature line by ${s.name} (key ${s.keyIdHex}): this page does not know that key`);
    }
    out.cosignatures.push(cos);
  }
  if (!out.cosignatures.some((c) => c.verified)) {
    out.notChecked.push(before
      ? "that this checkpoint is the one other readers see (no witness cosignature was verified; only this browser's earlier checkpoint was compared)"
      : "that this checkpoint is the one everyone else sees (no witness cosignature was verified, no earlier checkpoint compared)");
  }
  out.ok = out.checks.every((c) => c.ok !== false);
  if (!out.ok) out.error = out.checks.find((c) => c.ok === false).detail;
  else if (keep && (!before || cp.size >= before.size)) remember(out, storage);
  return out;
}

// ---------------------------------------------------------------------------------------------
// observation

function toBytes(entry) {
  if (entry instanceof Uint8Array) return entry;
  if (typeof entry === "string") return fromBase64(entry);
  throw new Error("an entry is given as bytes or base64");
}

/** Verify the entry at log `index`: it is in the tree of the verified `checkpoint` (a
 *  verifyCheckpoint result), its leaf hash matches the log's tiles, and its signatures verify
 *  with the organisations' registered `keys` (the /v1/keys shape). With `observation` (the API's
 *  document of it) also check that what the page shows is what the log holds. Never throws. */
export async function verifyObservation({
  logBase, index, entry, checkpoint, keys, observation, keysSource = "this log's registry",
} = {}) {
  const b = base(logBase);
  const out = {
    kind: "observation", ok: false, index, id: null, leafHash: null, reporter: null, signers: [],
    checkpoint: checkpoint
      ? { ok: checkpoint.ok, origin: checkpoint.origin, size: checkpoint.size, rootHash: checkpoint.rootHash,
          keyName: checkpoint.keyName, keyId: checkpoint.keyId, keySource: checkpoint.keySource, demo: checkpoint.demo }
      : null,
    checks: [], checked: [...(checkpoint?.checked ?? [])], notChecked: [...(checkpoint?.notChecked ?? [])],
  };
  const add = (what, ok, detail) => {
    out.checks.push({ what, ok, detail });
    return ok;
  };
  const finish = () => {
    out.ok = out.checks.length > 0 && out.checks.every((c) => c.ok === true);
    const bad = out.checks.find((c) => c.ok === false);
    if (bad) out.error = `${bad.what}: ${bad.detail}`;
    return out;
  };
  if (!Number.isSafeInteger(index) || index < 0) {
    add("the log index", false, `${index} is not a log index`);
    return finish();
  }
  if (!checkpoint || !checkpoint.ok) {
    add("the checkpoint", false, checkpoint?.error ?? "no verified checkpoint to check against");
    out.notChecked.push(`observation ${index}: without a verified checkpoint its inclusion is not checked`);
    return finish();
  }
  add("the checkpoint", true, `tree size ${checkpoint.size}, signed by ${checkpoint.keyName} with key ${checkpoint.keyId}`);
  if (index >= checkpoint.size) {
    out.pending = true;
    add("inclusion in the log", null, `entry ${index} is not yet covered by the latest signed checkpoint (size ${checkpoint.size})`);
    out.notChecked.push(`entry ${index}: the latest signed checkpoint (size ${checkpoint.size}) does not cover it yet`);
    return finish();
  }
  const root = fromBase64(checkpoint.rootHash);
  const tiles = new TileReader(b, checkpoint.size);

  // 1. the entry
  let bytes;
  let framed;
  try {
    if (entry !== undefined && entry !== null) {
      bytes = toBytes(entry);
      out.entrySource = "given to this page";
    } else {
      const n = Math.floor(index / TILE_WIDTH);
      const width = tileWidth(0, n, checkpoint.size);
      const path = entriesPath(n, width);
      let data;
      try {
        data = await fetchTileBytes(b + path);
      } catch (e) {
        if (e.status !== 404 || width === TILE_WIDTH) throw e;
        data = await fetchTileBytes(b + entriesPath(n));
      }
      const entries = parseBundle(data);
      if (entries.length < width) throw new Error(`${path} holds ${entries.length} entries, the tree needs ${width}`);
      bytes = entries[index % TILE_WIDTH];
      out.entrySource = path;
    }
    framed = frameEntry(bytes);
    add("the entry", true, `entry ${index} read from ${out.entrySource} (${bytes.length} bytes)`);
  } catch (e) {
    add("the entry", false, e.message);
    return finish();
  }
  const leaf = await leafHash(bytes);
  out.leafHash = toBase64(leaf);
  const content = framed.observation;
  out.reporter = typeof content.reporter === "string" ? content.reporter : null;

  // 2. the id: hex SHA-256 of the canonical public content (personal values' commitments aside)
  const { personal, ...publicContent } = content;
  let canonical = null;
  try {
    canonical = canonicalJson(content);
    out.id = toHex(await sha256(utf8(personal === undefined ? canonical : canonicalJson(publicContent))));
  } catch (e) {
    add("the observation's id", false, `the observation is not canonical JSON (${e.message})`);
  }
  if (canonical !== null) {
    const signedText = new TextDecoder().decode(framed.m);
    add("the signed bytes are canonical", signedText === canonical,
      signedText === canonical ? "the observation is in RFC 8785 canonical form"
        : "the signed observation is not in RFC 8785 canonical form");
  }

  // 3. the leaf hash in the log's level-0 tile
  try {
    const inTile = await tiles.hash(0, index);
    const t = tilePath(0, Math.floor(index / TILE_WIDTH), tileWidth(0, Math.floor(index / TILE_WIDTH), checkpoint.size));
    add("the leaf hash", equalBytes(inTile, leaf), equalBytes(inTile, leaf)
      ? `SHA-256(0x00 ‖ entry) = ${out.leafHash}, hash ${index % TILE_WIDTH} of ${t}`
      : `the entry hashes to ${out.leafHash} but hash ${index % TILE_WIDTH} of ${t} is ${toBase64(inTile)}: the entry or the tile was altered`);
  } catch (e) {
    add("the leaf hash", false, e.message);
  }

  // 4. inclusion: the signed root recomputed from the leaf and the tiles
  try {
    const proof = await tiles.proof(index);
    const got = await rootFromInclusionProof(index, checkpoint.size, leaf, proof);
    const ok = equalBytes(got, root);
    add("inclusion under the signed root", ok, ok
      ? `the entry and ${proof.length} hashes from ${tiles.paths.join(", ")} lead to the signed root ${checkpoint.rootHash} of tree size ${checkpoint.size}`
      : `the entry and ${proof.length} hashes from ${tiles.paths.join(", ")} lead to ${toBase64(got)}, not the signed root ${checkpoint.rootHash}: a tile or the entry was altered`);
    if (ok) out.checked.push(`entry ${index} (leaf hash ${out.leafHash}) is in the tree of size ${checkpoint.size} whose root the log signed`);
  } catch (e) {
    add("inclusion under the signed root", false, e.message);
  }

  // 5. the signatures, with the registered keys
  const { ring, problems } = await keyRing(keys);
  for (const p of problems) out.notChecked.push(p);
  const first = framed.signatures[0];
  add("the reporter signed first", first.signer === out.reporter,
    first.signer === out.reporter ? `the first signature is by the reporter ${out.reporter}`
      : `the first signature is by ${first.signer}, not by the reporter ${out.reporter}`);
  const seen = new Set();
  for (const s of framed.signatures) {
    const what = `signature by ${s.signer}`;
    const id = `${s.signer}+${s.keyIdHex}`;
    const signer = { org: s.signer, keyId: s.keyIdHex, vkey: null, demo: false, ok: false };
    out.signers.push(signer);
    if (seen.has(id)) {
      add(what, false, `${s.signer} signs twice with key ${s.keyIdHex}`);
      continue;
    }
    seen.add(id);
    const k = ring.get(id);
    if (!k) {
      add(what, false, `no key ${s.keyIdHex} of ${s.signer} is registered in ${keysSource}`);
      continue;
    }
    signer.vkey = k.vkey;
    signer.demo = k.demo;
    signer.ok = await ed25519Verify(k.publicKey, framed.m, s.signature);
    const demo = k.demo ? ` — ${DEMO_NOTE}` : "";
    add(what, signer.ok, signer.ok
      ? `signed by ${s.signer} with key ${s.keyIdHex} (registered in ${keysSource})${demo}`
      : `the Ed25519 signature by ${s.signer} with key ${s.keyIdHex} (registered in ${keysSource}) does not verify over the observation: it was altered`);
    if (signer.ok) out.checked.push(`the observation was signed by ${s.signer} with key ${s.keyIdHex} (registered in ${keysSource})${demo}`);
  }
  out.notChecked.push(
    `that each key really belongs to its organisation: the key registry comes from the log operator, unless you compare the key's fingerprint with the organisation out of band`,
    "that what the observation says is true: only who signed it, and that the log holds it unchanged",
  );

  // 6. what the page shows is what the log holds
  if (observation) {
    const shown = Object.fromEntries(Object.entries(observation).filter(([k]) => !API_FIELDS.has(k)));
    const idOk = observation.id === undefined || observation.id === out.id;
    const indexOk = observation.log_index === undefined || observation.log_index === index;
    const sameContent = canonicalJson(shown) === canonicalJson(publicContent);
    const ok = idOk && indexOk && sameContent;
    add("the observation shown is the one in the log", ok, ok
      ? `id ${out.id} at log index ${index}: the content shown equals the signed content`
      : !idOk ? `the page shows id ${observation.id}, the log's entry ${index} has id ${out.id}`
        : !indexOk ? `the page shows log index ${observation.log_index}, this is entry ${index}`
          : "the content shown differs from the signed content in the log");
  }
  return finish();
}

/** Look up an observation's log index (and document) by id from the API, then verify it. */
export async function verifyObservationById({ apiBase = "/v1/", id, ...rest }) {
  const api = base(apiBase);
  let doc;
  try {
    doc = JSON.parse(new TextDecoder().decode(await fetchBytes(`${api}observations/${encodeURIComponent(id)}`)));
  } catch (e) {
    return { kind: "observation", ok: false, id, checks: [{ what: "the observation", ok: false, detail: e.message }],
      checked: [], notChecked: [], error: e.message };
  }
  return verifyObservation({ ...rest, index: doc.log_index, observation: doc });
}
