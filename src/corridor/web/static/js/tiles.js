// Reading a log's C2SP files over HTTP: fetching (tiles and bundles once per page), and the
// hashes of a tree of a given size read from its tiles — any complete subtree, any range, and
// the RFC 9162 inclusion and consistency proofs. Used by verify.js. ES module, no dependencies.

import { HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, consistencyRanges, nodeHash, rangeNodes, tilePath, tileWidth } from "./tlog.js";

// Tiles and bundles are named by their width, so a path's bytes never change (C2SP tlog-tiles):
// they are fetched once per page (a few dozen kept) and through the HTTP cache. The checkpoint
// and keys are always fetched afresh.
const TILE_CACHE = new Map();
const TILE_CACHE_SIZE = 64;

export function fetchTileBytes(url) {
  let p = TILE_CACHE.get(url);
  if (p === undefined) {
    p = fetchBytes(url, "default");
    p.catch(() => TILE_CACHE.delete(url));
    TILE_CACHE.set(url, p);
    while (TILE_CACHE.size > TILE_CACHE_SIZE) TILE_CACHE.delete(TILE_CACHE.keys().next().value);
  }
  return p;
}

export async function fetchBytes(url, cache = "no-store") {
  let resp;
  try {
    resp = await fetch(url, { cache });
  } catch (e) {
    throw new Error(`${url} could not be fetched (${e.message})`);
  }
  if (!resp.ok) {
    const err = new Error(`${url} answered ${resp.status}`);
    err.status = resp.status;
    throw err;
  }
  return new Uint8Array(await resp.arrayBuffer());
}

export class TileReader {
  /** Hash tiles of the tree of `size` leaves under `logBase`, fetched once each. */
  constructor(logBase, size) {
    this.base = logBase;
    this.size = size;
    this.tiles = new Map();
    this.paths = [];
  }

  async tile(level, index) {
    const key = `${level}/${index}`;
    if (!this.tiles.has(key)) this.tiles.set(key, this.fetchTile(level, index));
    return this.tiles.get(key);
  }

  async fetchTile(level, index) {
    const width = tileWidth(level, index, this.size);
    if (width === 0) throw new Error(`tile ${tilePath(level, index)} is not part of a tree of size ${this.size}`);
    const path = tilePath(level, index, width);
    let raw;
    try {
      raw = await fetchTileBytes(this.base + path);
    } catch (e) {
      // a log may stop serving a partial tile once the full one exists (C2SP tlog-tiles)
      if (e.status !== 404 || width === TILE_WIDTH) throw e;
      raw = (await fetchTileBytes(this.base + tilePath(level, index))).subarray(0, width * HASH_SIZE);
    }
    if (raw.length !== width * HASH_SIZE) {
      throw new Error(`${path} is ${raw.length} bytes; a tile of width ${width} is ${width * HASH_SIZE}`);
    }
    this.paths.push(path);
    return { raw, path, memo: new Map() };
  }

  /** The hash of the complete subtree of height `h` and index `k` (leaves k·2^h … (k+1)·2^h−1). */
  async hash(h, k) {
    const level = Math.floor(h / TILE_HEIGHT);
    const r = h % TILE_HEIGHT;
    const t = await this.tile(level, Math.floor((k * 2 ** r) / TILE_WIDTH));
    return inner(t, r, k % (TILE_WIDTH >> r));
  }

  /** MTH of leaves [a, b): the right fold of its complete subtrees. */
  async range(a, b) {
    const nodes = rangeNodes(a, b);
    let h = await this.hash(...nodes[nodes.length - 1]);
    for (let i = nodes.length - 2; i >= 0; i--) h = await nodeHash(await this.hash(...nodes[i]), h);
    return h;
  }

  /** PROOF(old, D[size]) (RFC 9162 §2.1.4.1), read from tiles. */
  async consistency(old) {
    const out = [];
    for (const [lo, hi] of consistencyRanges(old, this.size)) out.push(await this.range(lo, hi));
    return out;
  }

  /** The RFC 9162 inclusion proof of leaf `m` in the tree, read from tiles. */
  async proof(m) {
    const path = [];
    let a = 0;
    let b = this.size;
    const steps = [];
    while (b - a > 1) {
      let k = 1;
      while (k * 2 < b - a) k *= 2;
      if (m < a + k) {
        steps.push([a + k, b]);
        b = a + k;
      } else {
        steps.push([a, a + k]);
        a += k;
      }
    }
    for (let i = steps.length - 1; i >= 0; i--) path.push(await this.range(...steps[i]));
    return path;
  }
}

async function inner(tile, r, pos) {
  if (r === 0) return tile.raw.subarray(pos * HASH_SIZE, (pos + 1) * HASH_SIZE);
  const key = `${r}/${pos}`;
  if (!tile.memo.has(key)) {
    tile.memo.set(key, (async () => nodeHash(await inner(tile, r - 1, 2 * pos), await inner(tile, r - 1, 2 * pos + 1)))());
  }
  return tile.memo.get(key);
}

