// The log's formats in the browser, byte for byte as corridor.ledger writes them: base64, hex,
// RFC 9162 hashing (SHA-256 via WebCrypto), C2SP tlog-tiles paths and entry bundles, C2SP
// signed-note parsing and key IDs, Ed25519 verification (WebCrypto), RFC 8785 canonical JSON.
// An ES module with no dependencies and no build step.

export const HASH_SIZE = 32;
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const ED25519 = 0x01; // note signature type of a log or organisation key
export const COSIGNATURE_V1 = 0x04; // note signature type of a witness cosignature key

const enc = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

// ---------------------------------------------------------------------------------------------
// bytes

/** UTF-8 bytes of a string. */
export function utf8(text) {
  return enc.encode(text);
}

/** A string from UTF-8 bytes; throws on invalid UTF-8. */
export function fromUtf8(bytes) {
  return strictUtf8.decode(bytes);
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(text) {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new Error(`${JSON.stringify(text)} is not hex`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}

/** Standard padded base64 (RFC 4648 §4). */
export function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/** Strict standard base64: padded, canonical (zero pad bits, as Python's validate=True plus
 *  re-encoding); throws otherwise. */
export function fromBase64(text) {
  if (typeof text !== "string" || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new Error(`${JSON.stringify(String(text).slice(0, 40))} is not base64`);
  }
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (toBase64(out) !== text) throw new Error(`${JSON.stringify(text.slice(0, 40))} is not canonical base64`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// RFC 9162 hashing

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** SHA-256(0x00 ‖ entry): the leaf hash of a log entry. */
export function leafHash(entry) {
  return sha256(concat(Uint8Array.of(0), entry));
}

/** SHA-256(0x01 ‖ left ‖ right): an interior node. */
export function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(1), left, right));
}

/** The complete aligned subtrees [height, index] that cover leaves [start, end), left to right
 *  (as corridor.ledger.merkle.range_nodes). */
export function rangeNodes(start, end) {
  const out = [];
  while (start < end) {
    let h = 0;
    while (start % 2 ** (h + 1) === 0 && start + 2 ** (h + 1) <= end) h++;
    out.push([h, start / 2 ** h]);
    start += 2 ** h;
  }
  return out;
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to from a leaf hash; throws when the
 *  proof's length does not fit the index and tree size. */
export async function rootFromInclusionProof(index, size, leaf, proof) {
  if (!(index >= 0 && index < size)) throw new Error(`index ${index} is not in a tree of size ${size}`);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error("the inclusion proof is too long");
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error("the inclusion proof is too short");
  return r;
}

/** The leaf ranges [lo, hi) whose hashes form PROOF(old, D[new]) (RFC 9162 §2.1.4.1), in
 *  order (as corridor.ledger.merkle._consistency_ranges). */
export function consistencyRanges(old, size) {
  const ranges = [];
  if (old === 0 || old === size) return ranges;
  let m = old;
  let lo = 0;
  let hi = size;
  let whole = true;
  while (m !== hi - lo) {
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    if (m <= k) {
      ranges.push([lo + k, hi]);
      hi = lo + k;
    } else {
      ranges.push([lo, lo + k]);
      m -= k;
      lo += k;
      whole = false;
    }
  }
  if (!whole) ranges.push([lo, hi]);
  return ranges.reverse();
}

/** RFC 9162 §2.1.4.2: throws naming what failed unless `proof` shows the tree of `size` and
 *  `root` extends the tree of `old` and `oldRoot` (as corridor.ledger.merkle.verify_consistency). */
export async function verifyConsistency(old, size, oldRoot, root, proof) {
  const what = `consistency from size ${old} to ${size}`;
  if (!(old >= 0 && old <= size)) throw new Error(`${what}: the old size is larger than the new size`);
  if (old === size || old === 0) {
    if (proof.length) throw new Error(`${what}: expected an empty proof, got ${proof.length} hashes`);
    if (old === 0 && !equalBytes(oldRoot, await sha256(new Uint8Array()))) {
      throw new Error(`${what}: the old root is not the root of the empty tree`);
    }
    if (old === size && !equalBytes(oldRoot, root)) throw new Error(`${what}: same size, different root hashes`);
    return;
  }
  const path = [...proof];
  if (2 ** Math.round(Math.log2(old)) === old) path.unshift(oldRoot); // old is a power of two
  let fn = old - 1;
  let sn = size - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new Error(`${what}: the proof is longer than the path to the root`);
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error(`${what}: the proof is shorter than the path to the root`);
  if (!equalBytes(fr, oldRoot)) throw new Error(`${what}: the log's tiles do not lead to the old root hash`);
  if (!equalBytes(sr, root)) throw new Error(`${what}: the log's tiles do not lead to the new root hash`);
}

// ---------------------------------------------------------------------------------------------
// C2SP tlog-tiles

function encodeIndex(index) {
  if (!Number.isSafeInteger(index) || index < 0) throw new Error(`tile index ${index} is not a non-negative integer`);
  let digits = String(index);
  digits = "0".repeat((3 - (digits.length % 3)) % 3) + digits;
  const groups = digits.match(/.{3}/g);
  return groups.map((g, i) => (i < groups.length - 1 ? "x" + g : g)).join("/");
}

function suffix(width) {
  if (width === undefined || width === null || width === TILE_WIDTH) return "";
  if (!(Number.isInteger(width) && width >= 1 && width < TILE_WIDTH)) {
    throw new Error(`tile width ${width} is not between 1 and 256`);
  }
  return `.p/${width}`;
}

/** `tile/<L>/<N>[.p/<W>]`, e.g. tilePath(0, 1234067) = "tile/0/x001/x234/067". */
export function tilePath(level, index, width) {
  if (!(Number.isInteger(level) && level >= 0 && level <= 63)) throw new Error(`tile level ${level} is not between 0 and 63`);
  return `tile/${level}/${encodeIndex(index)}${suffix(width)}`;
}

/** `tile/entries/<N>[.p/<W>]`, the path of an entry bundle. */
export function entriesPath(index, width) {
  return `tile/entries/${encodeIndex(index)}${suffix(width)}`;
}

/** The width of tile (level, index) in a tree of `size` leaves: 256 when full, 0 when absent. */
export function tileWidth(level, index, size) {
  const count = Math.floor(size / 2 ** (TILE_HEIGHT * level));
  return Math.max(0, Math.min(TILE_WIDTH, count - index * TILE_WIDTH));
}

/** The entries of an entry bundle (each after its big-endian uint16 length). */
export function parseBundle(data) {
  const out = [];
  let pos = 0;
  while (pos < data.length) {
    if (data.length - pos < 2) throw new Error(`entry bundle: truncated length of entry ${out.length}`);
    const length = (data[pos] << 8) | data[pos + 1];
    pos += 2;
    if (data.length - pos < length) throw new Error(`entry bundle: entry ${out.length} is truncated`);
    out.push(data.subarray(pos, pos + length));
    pos += length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// C2SP signed-note

const DASH = "\u2014 "; // EM DASH, SPACE
const SPACES = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

export function isValidKeyName(name) {
  return typeof name === "string" && name.length > 0 && !name.includes("+") && !SPACES.test(name);
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], the 4-byte note key ID. */
export async function keyId(name, type, publicKey) {
  return (await sha256(concat(utf8(name + "\n"), Uint8Array.of(type), publicKey))).subarray(0, 4);
}

/** Parse a verifier key `<name>+<8 hex>+base64(type ‖ key)`, checking its key ID.
 *  Returns {name, keyId (bytes), keyIdHex, type, publicKey, vkey}. */
export async function parseVkey(vkey, expectType = ED25519) {
  const text = String(vkey).trim();
  const first = text.indexOf("+");
  const second = first < 0 ? -1 : text.indexOf("+", first + 1);
  if (first < 0 || second < 0) throw new Error("a verifier key looks like <name>+<8 hex digits>+<base64 key>");
  const name = text.slice(0, first);
  const hex = text.slice(first + 1, second);
  if (!isValidKeyName(name)) throw new Error(`verifier key: ${JSON.stringify(name)} is not a valid key name`);
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw new Error(`verifier key for ${name}: key ID ${JSON.stringify(hex)} is not 8 hex digits`);
  let raw;
  try {
    raw = fromBase64(text.slice(second + 1));
  } catch {
    throw new Error(`verifier key for ${name}: the key is not valid base64`);
  }
  if (raw.length !== 33) throw new Error(`verifier key for ${name}: not a 32-byte Ed25519 key`);
  const type = raw[0];
  if (type !== expectType) {
    throw new Error(`verifier key for ${name}: type 0x${type.toString(16).padStart(2, "0")}, expected 0x${expectType.toString(16).padStart(2, "0")}`);
  }
  const publicKey = raw.subarray(1);
  const id = await keyId(name, type, publicKey);
  if (toHex(id) !== hex.toLowerCase()) throw new Error(`verifier key for ${name}: the key ID does not match the key`);
  return { name, keyId: id, keyIdHex: toHex(id), type, publicKey, vkey: text };
}

/** Parse a signed note's syntax (no signature checked): {text, signatures: [{name, keyId,
 *  keyIdHex, signature}]}. Throws naming what is malformed. */
export function parseNote(bytes) {
  let msg;
  try {
    msg = fromUtf8(bytes);
  } catch {
    throw new Error("malformed note: not valid UTF-8");
  }
  if (/[\x00-\x09\x0b-\x1f]/.test(msg)) throw new Error("malformed note: a control character");
  const split = msg.lastIndexOf("\n\n");
  if (split < 0) throw new Error("malformed note: no blank line before the signatures");
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (!block || !block.endsWith("\n")) throw new Error("malformed note: no signature lines after the blank line");
  const signatures = block.slice(0, -1).split("\n").map((line, i) => {
    if (!line.startsWith(DASH)) throw new Error(`malformed note: signature line ${i + 1} does not start with '— '`);
    const rest = line.slice(DASH.length);
    const sp = rest.indexOf(" ");
    const name = sp < 0 ? rest : rest.slice(0, sp);
    if (!isValidKeyName(name)) throw new Error(`malformed note: signature line ${i + 1} has an invalid key name`);
    let raw = new Uint8Array();
    try {
      raw = fromBase64(sp < 0 ? "" : rest.slice(sp + 1));
    } catch {
      /* reported below */
    }
    if (raw.length < 5) throw new Error(`malformed note: signature line ${i + 1} is not base64 of key ID + signature`);
    return { name, keyId: raw.subarray(0, 4), keyIdHex: toHex(raw.subarray(0, 4)), signature: raw.subarray(4) };
  });
  return { text, signatures };
}

/** Parse a C2SP checkpoint body strictly: {origin, size, root (bytes), extensions}. */
export function parseCheckpoint(text) {
  if (!text.endsWith("\n")) throw new Error("checkpoint: the body does not end with a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) throw new Error(`checkpoint: ${lines.length} lines, expected at least 3`);
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (!origin) throw new Error("checkpoint: the origin is empty");
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeLine)) throw new Error(`checkpoint: tree size ${JSON.stringify(sizeLine)} is not a decimal number`);
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new Error(`checkpoint: tree size ${sizeLine} is too large for this page`);
  let root;
  try {
    root = fromBase64(rootLine);
  } catch {
    throw new Error(`checkpoint: root hash ${JSON.stringify(rootLine)} is not canonical base64`);
  }
  if (root.length !== HASH_SIZE) throw new Error(`checkpoint: the root hash is ${root.length} bytes, not 32`);
  if (extensions.some((e) => !e)) throw new Error("checkpoint: an extension line is empty");
  return { origin, size, root, extensions };
}

// ---------------------------------------------------------------------------------------------
// Ed25519 (WebCrypto)

/** True when `signature` is a valid Ed25519 signature of `message` by `publicKey` (32 bytes). */
export async function ed25519Verify(publicKey, message, signature) {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

/** The bytes a witness signs (C2SP tlog-cosignature v1): header, time line, checkpoint body. */
export function cosignedMessage(checkpointText, timestamp) {
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

// ---------------------------------------------------------------------------------------------
// RFC 8785 canonical JSON (for values parsed by JSON.parse: I-JSON numbers are doubles)

/** The RFC 8785 canonical text of a JSON value: members sorted by UTF-16 code units (JS string
 *  order), strings and numbers as ECMAScript's JSON.stringify writes them. */
export function canonicalJson(value) {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("NaN and Infinity have no JSON form");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(value[k])).join(",") + "}";
  }
  throw new Error(`${typeof value} is not JSON`);
}

// ---------------------------------------------------------------------------------------------
// entries

const PREFIX = utf8('{"observation":');
const SEP = utf8(',"signatures":');

function lastIndexOfBytes(hay, needle) {
  outer: for (let i = hay.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Frame an entry `{"observation":M,"signatures":[...]}`: returns {m (the signed bytes),
 *  observation, signatures: [{signer, keyId, keyIdHex, signature}]}; throws naming what is
 *  malformed. The whole entry must be exactly that framing with canonical signature objects. */
export function frameEntry(entry) {
  if (entry.length > 65535) throw new Error(`the entry is ${entry.length} bytes, over the 65,535-byte limit`);
  if (!equalBytes(entry.subarray(0, PREFIX.length), PREFIX)) throw new Error('the entry does not start with {"observation":');
  const sep = lastIndexOfBytes(entry, SEP);
  if (sep < PREFIX.length) throw new Error('the entry has no ,"signatures": member');
  const m = entry.subarray(PREFIX.length, sep);
  let observation;
  let sigs;
  try {
    observation = JSON.parse(fromUtf8(m));
    sigs = JSON.parse(fromUtf8(entry.subarray(sep + SEP.length, entry.length - 1)));
  } catch (e) {
    throw new Error(`the entry is not valid JSON (${e.message})`);
  }
  if (entry[entry.length - 1] !== 0x7d) throw new Error("the entry does not end with }");
  if (observation === null || typeof observation !== "object" || Array.isArray(observation)) {
    throw new Error("the entry's observation is not a JSON object");
  }
  if (!Array.isArray(sigs) || sigs.length === 0) throw new Error("the entry has no signatures");
  const signatures = sigs.map((s) => {
    if (s === null || typeof s !== "object" || canonicalJson(Object.keys(s).sort()) !== '["keyid","sig","signer"]') {
      throw new Error('a signature is not an object of "keyid", "sig" and "signer"');
    }
    if (![s.keyid, s.sig, s.signer].every((v) => typeof v === "string")) throw new Error("a signature field is not a string");
    let kid;
    let sig;
    try {
      kid = fromBase64(s.keyid);
      sig = fromBase64(s.sig);
    } catch {
      throw new Error(`signature by org ${s.signer}: keyid or sig is not base64`);
    }
    if (kid.length !== 4 || sig.length !== 64) throw new Error(`signature by org ${s.signer}: keyid is not 4 bytes or sig not 64`);
    return { signer: s.signer, keyId: kid, keyIdHex: toHex(kid), signature: sig };
  });
  if (fromUtf8(entry.subarray(sep + SEP.length, entry.length - 1)) !== canonicalJson(sigs)) {
    throw new Error("the entry's signatures are not in canonical form");
  }
  return { m, observation, signatures };
}
