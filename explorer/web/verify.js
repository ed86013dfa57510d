// Verification in the browser, with WebCrypto only. Nothing here trusts the
// explorer: roots are recomputed from the tiles it serves (C2SP tlog-tiles,
// RFC 6962 hashing), and signatures are checked with verifier keys the
// auditor pinned (pins.js), never with keys the explorer supplies.

const te = new TextEncoder();

export function b64decode(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
export function b64encode(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
function equal(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

// RFC 6962 §2.1: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || l || r).
export const leafHash = (entry) => sha256(concat(new Uint8Array([0]), entry));
const nodeHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));

// MTH over a power-of-two run of hashes (a perfect subtree).
async function perfectRoot(hashes) {
  let level = hashes;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) next.push(await nodeHash(level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

export class VerifyError extends Error {}
const fail = (reason) => { throw new VerifyError(reason); };

// ---- signed notes (c2sp.org/signed-note) and verifier keys ----

// "<name>+<hex key id>+<base64(alg || key)>"; alg 0x01 Ed25519 (log keys) or
// 0x04 cosignature/v1 (witnesses, c2sp.org/tlog-cosignature).
export async function parseVkey(vkey) {
  // The name has no '+'; the base64 key may.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!m) fail('malformed verifier key');
  const [, name, idHex, keyB64] = m;
  let raw;
  try { raw = b64decode(keyB64); } catch { fail('malformed verifier key'); }
  if (raw.length !== 33 || (raw[0] !== 0x01 && raw[0] !== 0x04)) {
    fail('unsupported verifier key (Ed25519 0x01 or cosignature/v1 0x04)');
  }
  const id = (await sha256(concat(te.encode(name), new Uint8Array([0x0a]), raw))).slice(0, 4);
  if (hex(id) !== idHex) fail(`key id of ${name} does not match its key`);
  const key = await crypto.subtle.importKey('raw', raw.slice(1), { name: 'Ed25519' }, false, ['verify']);
  return { name, id, alg: raw[0], key, vkey, publicKey: keyB64 };
}

export function parseNote(note) {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) fail('malformed note');
  const text = note.slice(0, split + 1);
  const sigs = [];
  for (const line of note.slice(split + 2).split('\n')) {
    if (line === '') continue;
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) fail('malformed signature line');
    const raw = b64decode(m[2]);
    if (raw.length < 5) fail('malformed signature line');
    sigs.push({ name: m[1], id: raw.slice(0, 4), payload: raw.slice(4) });
  }
  return { text, sigs };
}

export function parseCheckpoint(text) {
  const lines = text.split('\n');
  if (lines.length < 4 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) fail('malformed checkpoint');
  const root = b64decode(lines[2]);
  if (root.length !== 32) fail('malformed checkpoint root');
  return { origin: lines[0], size: Number(lines[1]), root };
}

const findSig = (note, k) => note.sigs.find((s) => s.name === k.name && equal(s.id, k.id));

// The log's signature by the pinned key over the note text.
export async function verifyCheckpointNote(noteText, logKey) {
  const note = parseNote(noteText);
  const cp = parseCheckpoint(note.text);
  if (cp.origin !== logKey.name) fail(`checkpoint origin ${cp.origin} is not the pinned log ${logKey.name}`);
  const sig = findSig(note, logKey);
  if (!sig) fail('no signature by the pinned log key');
  const ok = await crypto.subtle.verify('Ed25519', logKey.key, sig.payload, te.encode(note.text));
  if (!ok) fail('the checkpoint signature does not verify with the pinned log key');
  return { note, cp };
}

// cosignature/v1: payload = u64 BE timestamp || Ed25519 signature over
// "cosignature/v1\ntime <ts>\n" || checkpoint text.
export async function verifyCosignatures(note, witnessKeys) {
  const out = [];
  for (const w of witnessKeys) {
    const sig = findSig(note, w);
    if (!sig) { out.push({ name: w.name, state: 'missing' }); continue; }
    if (sig.payload.length !== 72) { out.push({ name: w.name, state: 'failed', reason: 'malformed cosignature' }); continue; }
    const ts = new DataView(sig.payload.buffer, sig.payload.byteOffset, 8).getBigUint64(0);
    const msg = te.encode(`cosignature/v1\ntime ${ts}\n` + note.text);
    const ok = await crypto.subtle.verify('Ed25519', w.key, sig.payload.slice(8), msg);
    out.push({ name: w.name, state: ok ? 'verified' : 'failed', time: Number(ts),
               reason: ok ? '' : 'cosignature does not verify' });
  }
  return out;
}

// The witness quorum K the pins require: the pinned quorum, or every pinned
// witness when none is given; 0 only when the auditor explicitly accepts
// unwitnessed checkpoints or pinned a deployment without witnesses
// (quorum=0). A log signature alone may be the checkpoint the notary signed
// on a rolled-back head at a restart, before the witnesses refused it.
export function requiredQuorum(pins) {
  if (pins.unwitnessed) return 0;
  const given = Number.isInteger(pins.quorum) ? pins.quorum : null;
  if (given === null && pins.witnesses.length === 0) {
    fail('no witness quorum pinned: pin the deployment\'s witnesses and quorum (pins.json), or accept unwitnessed checkpoints');
  }
  const k = given === null ? pins.witnesses.length : given;
  if (k > pins.witnesses.length) fail(`the pinned quorum ${k} exceeds the ${pins.witnesses.length} pinned witnesses`);
  return k;
}

// The one checkpoint check every page makes (as ledger::VerifyCheckpoint with
// a WitnessPolicy): the log's signature by the pinned key, no failing
// cosignature of a pinned witness, and at least K distinct pinned witnesses
// (by name and by public key) that cosigned.
export async function verifyWitnessedCheckpoint(noteText, pins) {
  if (!pins.log) fail('no log key pinned: enter the log vkey you obtained out of band');
  const k = requiredQuorum(pins);
  const logKey = await parseVkey(pins.log);
  const witnessKeys = [];
  for (const w of pins.witnesses) witnessKeys.push(await parseVkey(w));
  const { note, cp } = await verifyCheckpointNote(noteText, logKey);
  const cosigs = await verifyCosignatures(note, witnessKeys);
  const bad = cosigs.find((c) => c.state === 'failed');
  if (bad) fail(`witness ${bad.name}: ${bad.reason}`);
  const names = new Set(), keys = new Set();
  cosigs.forEach((c, i) => {
    if (c.state !== 'verified' || names.has(c.name) || keys.has(witnessKeys[i].publicKey)) return;
    names.add(c.name);
    keys.add(witnessKeys[i].publicKey);
  });
  if (names.size < k) fail(`witness quorum not met (witness_quorum_not_met): ${names.size} of ${k} required witnesses cosigned the checkpoint of size ${cp.size}`);
  return { note, cp, cosigs, quorum: k };
}

// ---- tiles (c2sp.org/tlog-tiles) ----

export function tilePath(level, index, width) {
  const groups = [];
  let n = index;
  do { groups.unshift(String(n % 1000).padStart(3, '0')); n = Math.floor(n / 1000); } while (n > 0);
  const p = groups.map((g, i) => (i < groups.length - 1 ? 'x' + g : g)).join('/');
  return `tile/${level}/${p}` + (width === 256 ? '' : `.p/${width}`);
}

const hashesAtLevel = (level, size) => Math.floor(size / 256 ** level);

// Recomputes the root of a tree of `size` from the tiles the server serves:
// the size's perfect subtrees, largest first, each from the tile level that
// holds it (a subtree of 2^k leaves is 2^(k mod 8) hashes of tile level
// floor(k/8), inside one tile), folded right to left. Returns the root and
// the tiles fetched.
export async function rootFromTiles(base, size) {
  if (size === 0) return { root: await sha256(new Uint8Array(0)), tiles: [] };
  const cache = new Map();
  const getTile = async (level, index) => {
    const avail = hashesAtLevel(level, size);
    const width = Math.min(256, avail - index * 256);
    const path = tilePath(level, index, width);
    if (!cache.has(path)) {
      cache.set(path, (async () => {
        const r = await fetch(base + path, { cache: 'no-store' });
        if (!r.ok) fail(`${path}: HTTP ${r.status}`);
        const body = new Uint8Array(await r.arrayBuffer());
        if (body.length !== 32 * width) fail(`${path} has ${body.length} bytes, not ${32 * width}`);
        return body;
      })());
    }
    return cache.get(path);
  };
  const subtrees = [];
  let start = 0;
  for (let k = 52; k >= 0; k--) {  // sizes below 2^53 (exact in JS numbers)
    const width = 2 ** k;
    if (Math.floor(size / width) % 2 === 0) continue;
    const level = Math.floor(k / 8);
    const per = 256 ** level;
    const first = start / per, count = width / per;
    const tile = await getTile(level, Math.floor(first / 256));
    const hashes = [];
    for (let i = 0; i < count; i++) {
      const at = (first % 256 + i) * 32;
      hashes.push(tile.slice(at, at + 32));
    }
    subtrees.push(await perfectRoot(hashes));
    start += width;
  }
  let root = subtrees[subtrees.length - 1];
  for (let i = subtrees.length - 2; i >= 0; i--) root = await nodeHash(subtrees[i], root);
  return { root, tiles: [...cache.keys()] };
}

// RFC 9162 §2.1.3.2: the root an inclusion proof leads to.
export async function rootFromInclusion(index, size, leaf, proof) {
  if (index >= size) fail('index beyond the tree');
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) fail('inclusion proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  if (sn !== 0) fail('inclusion proof too short');
  return r;
}

// The whole log check: the checkpoint's signature by the pinned log key, the
// pinned witnesses' quorum of cosignatures, and the root recomputed from the
// tiles.
export async function verifyLog(base, pins) {
  if (!pins.log) fail('no log key pinned: enter the log vkey you obtained out of band');
  const r = await fetch(base + 'checkpoint', { cache: 'no-store' });
  if (!r.ok) fail(`checkpoint: HTTP ${r.status}`);
  const noteText = await r.text();
  const { cp, cosigs, quorum } = await verifyWitnessedCheckpoint(noteText, pins);
  const { root, tiles } = await rootFromTiles(base, cp.size);
  if (!equal(root, cp.root)) fail(`the tiles do not hash to the signed root (fetched ${tiles.join(', ')})`);
  return { cp, cosigs, quorum, tiles, note: noteText };
}

// One entry: its leaf hash, and its inclusion proof against the receipt's
// checkpoint, itself signed by the pinned log key and witnessed.
export async function verifyEntry(entry, pins) {
  if (!pins.log) fail('no log key pinned');
  const leaf = b64decode(entry.leaf);
  const lh = await leafHash(leaf);
  if (hex(lh) !== entry.leaf_hash) fail('the leaf bytes do not hash to the stated leaf hash');
  const idx = Number(new DataView(leaf.buffer).getBigUint64(1));
  if (leaf[0] !== 1 || idx !== entry.index) fail('the leaf states another index');
  const { cp } = await verifyWitnessedCheckpoint(entry.receipt.checkpoint, pins);
  if (cp.size !== entry.receipt.tree_size) fail('the receipt is for another tree size');
  const proof = entry.receipt.inclusion_proof.map(b64decode);
  const root = await rootFromInclusion(entry.index, cp.size, lh, proof);
  if (!equal(root, cp.root)) fail('the inclusion proof does not lead to the signed root');
  return { cp };
}

// ---- the state map (schemas/formats/map.md) ----

const ZERO32 = new Uint8Array(32);
// map.md §2-§3: key = SHA-256(0x12 || subject), leaf = SHA-256(0x10 || key ||
// value), node = SHA-256(0x11 || left || right), empty = 32 zero bytes.
const mapKey = (subject) => sha256(concat(new Uint8Array([0x12]), te.encode(subject)));
const mapLeaf = (key, value) => sha256(concat(new Uint8Array([0x10]), key, value));
const mapNode = (l, r) => sha256(concat(new Uint8Array([0x11]), l, r));
const keyBit = (key, i) => (key[i >> 3] >> (7 - (i & 7))) & 1;

// map.md §4: the compressed proof encoding, strictly.
function decodeMapProof(b) {
  let at = 0;
  const need = (n) => { if (at + n > b.length) fail('malformed map proof'); const s = b.slice(at, at + n); at += n; return s; };
  if (need(1)[0] !== 1) fail('malformed map proof');
  const terminal = need(1)[0];
  let leaf = null;
  if (terminal === 1) leaf = { key: need(32), value: need(48) };
  else if (terminal !== 0) fail('malformed map proof');
  const d = need(2);
  const depth = (d[0] << 8) | d[1];
  if (depth > 256) fail('malformed map proof');
  const bitmap = need(Math.ceil(depth / 8));
  const siblings = [];
  for (let i = 0; i < depth; i++) {
    if ((bitmap[i >> 3] >> (7 - (i & 7))) & 1) {
      const s = need(32);
      if (equal(s, ZERO32)) fail('malformed map proof');
      siblings.push(s);
    } else siblings.push(ZERO32);
  }
  for (let i = depth; i < bitmap.length * 8; i++) if ((bitmap[i >> 3] >> (7 - (i & 7))) & 1) fail('malformed map proof');
  if (at !== b.length) fail('malformed map proof');
  return { leaf, siblings };
}

// A state answer (GET /v1/state/{subject}) checked as VerifyStateProof does
// (map.md §9): the checkpoint by the pinned log key, its map line, the map
// proof for the subject's key against it, and for a present subject the
// inclusion of the entry at exactly the index the map records. Returns the
// proven value ({index, version, state} or null when absent).
export async function verifyState(answer, pins) {
  if (!pins.log) fail('no log key pinned');
  const { note, cp } = await verifyWitnessedCheckpoint(answer.checkpoint, pins);
  const mapLines = note.text.split('\n').slice(3).filter((l) => l.startsWith('map '));
  if (mapLines.length !== 1 || !/^map [0-9a-f]{64}$/.test(mapLines[0])) fail('the checkpoint has no map line');
  const mapRoot = mapLines[0].slice(4);
  const key = await mapKey(answer.subject);
  const proof = decodeMapProof(b64decode(answer.map_proof));
  const depth = proof.siblings.length;
  let h = ZERO32;
  let value = null;
  if (proof.leaf) {
    for (let i = 0; i < depth; i++) if (keyBit(proof.leaf.key, i) !== keyBit(key, i)) fail('the map proof is off the path');
    h = await mapLeaf(proof.leaf.key, proof.leaf.value);
    if (equal(proof.leaf.key, key)) {
      const dv = new DataView(proof.leaf.value.buffer, proof.leaf.value.byteOffset, 48);
      value = { index: Number(dv.getBigUint64(0)), version: Number(dv.getBigUint64(8)),
                state: hex(proof.leaf.value.slice(16)) };
    }
  }
  for (let d = depth - 1; d >= 0; d--) {
    h = keyBit(key, d) ? await mapNode(proof.siblings[d], h) : await mapNode(h, proof.siblings[d]);
  }
  if (hex(h) !== mapRoot) fail('the map proof does not lead to the signed map root');
  if (!value) {
    if (answer.entry) fail('an entry is given for an absent subject');
    return { cp, value: null };
  }
  if (!answer.entry || answer.entry.index !== value.index) fail('the entry is not the one the map records');
  const leaf = b64decode(answer.entry.leaf);
  const idx = Number(new DataView(leaf.buffer).getBigUint64(1));
  if (leaf[0] !== 1 || idx !== value.index) fail('the leaf states another index');
  const root = await rootFromInclusion(value.index, cp.size, await leafHash(leaf),
                                       answer.entry.inclusion_proof.map(b64decode));
  if (!equal(root, cp.root)) fail('the inclusion proof does not lead to the signed root');
  return { cp, value };
}
