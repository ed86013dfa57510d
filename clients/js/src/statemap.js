// The state map: keys, hashes, compressed proofs and their verification, as
// ledger/core/record/src/state_map.cc and state_map_proof.cc (map.md §2-4, §6).
import { MalformedError, VerificationError } from "./errors.js";
import { beBig, bigToBytes, beNum, concat, equal, parseHex, sha256, toBytes, utf8 } from "./util.js";

export const EMPTY = new Uint8Array(32);
const KEY_BITS = 256;

export const keyOf = (subject) => sha256(Uint8Array.of(0x12), typeof subject === "string" ? utf8(subject) : subject);
export const stampKeyOf = async (eventBytes) => sha256(Uint8Array.of(0x13), await sha256(eventBytes));

const encodeValue = (v) => concat(bigToBytes(v.index, 8), bigToBytes(v.version, 8), v.state);
export const mapLeafHash = (key, value) => sha256(Uint8Array.of(0x10), key, encodeValue(value));
const nodeHash = (l, r) => sha256(Uint8Array.of(0x11), l, r);
const keyBit = (key, i) => (key[i >> 3] >> (7 - (i % 8))) & 1;

const malformed = (m) => new MalformedError("malformed_map_proof", "map proof: " + m);

/** A 48-byte map value: { index, version (BigInts), state (32 bytes) }. */
export function decodeValue(data) {
  if (data.length !== 48) throw new MalformedError("malformed_map_value", "map value is not 48 bytes");
  const v = { index: beBig(data.subarray(0, 8)), version: beBig(data.subarray(8, 16)), state: data.slice(16) };
  if (v.version === 0n) throw new MalformedError("malformed_map_value", "map value with version 0");
  return v;
}

/** Strict: one proof, one encoding. MalformedError("malformed_map_proof"). */
export function decodeMapProof(input) {
  const data = toBytes(input);
  let pos = 0;
  const take = (n) => {
    if (data.length - pos < n) throw malformed("truncated");
    const out = data.slice(pos, pos + n);
    pos += n;
    return out;
  };
  if (take(1)[0] !== 1) throw malformed("unknown version");
  const terminal = take(1)[0];
  let leafKey = null;
  let leafValue = null;
  if (terminal === 1) {
    leafKey = take(32);
    const raw = take(48);
    try {
      leafValue = decodeValue(raw);
    } catch {
      throw malformed("bad leaf value");
    }
  } else if (terminal !== 0) {
    throw malformed("unknown terminal");
  }
  const depth = beNum(take(2));
  if (depth > KEY_BITS) throw malformed("depth above 256");
  const bitmap = take((depth + 7) >> 3);
  if (depth % 8 !== 0 && bitmap[bitmap.length - 1] & (0xff >> (depth % 8))) throw malformed("non-zero bitmap padding");
  const siblings = new Array(depth).fill(EMPTY);
  for (let d = 0; d < depth; d++) {
    if (!(bitmap[d >> 3] & (0x80 >> (d % 8)))) continue;
    const s = take(32);
    if (equal(s, EMPTY)) throw malformed("empty sibling written out");
    siblings[d] = s;
  }
  if (pos !== data.length) throw malformed("trailing bytes");
  return { leafKey, leafValue, siblings };
}

export async function rootFromMapProof(key, proof) {
  let h = EMPTY;
  const depth = proof.siblings.length;
  if (proof.leafKey !== null) {
    for (let i = 0; i < depth; i++) {
      if (keyBit(proof.leafKey, i) !== keyBit(key, i)) {
        throw new MalformedError("map_proof_off_path", "the proof's leaf is not on the key's path");
      }
    }
    h = await mapLeafHash(proof.leafKey, proof.leafValue);
  }
  for (let d = depth - 1; d >= 0; d--) {
    h = keyBit(key, d) ? await nodeHash(proof.siblings[d], h) : await nodeHash(h, proof.siblings[d]);
  }
  return h;
}

/** The key's value if the proof shows it present, null if absent. VerificationError("map_proof_mismatch"). */
export async function verifyMapProof(root, key, proof) {
  if (!equal(await rootFromMapProof(key, proof), root)) {
    throw new VerificationError("map_proof_mismatch", "the map proof does not lead to the map root");
  }
  if (proof.leafKey !== null && equal(proof.leafKey, key)) return proof.leafValue;
  return null;
}

/** The root of the checkpoint's "map <hex>" line, null without one. MalformedError("malformed_map_line"). */
export function findMapRoot(extensions) {
  let root = null;
  for (const line of extensions) {
    if (!line.startsWith("map ")) continue;
    if (root !== null) throw new MalformedError("malformed_map_line", "two map lines");
    const h = line.slice(4);
    if (line.length !== 4 + 64 || !/^[0-9a-f]{64}$/.test(h)) {
      throw new MalformedError("malformed_map_line", 'not "map <64 lowercase hex digits>"');
    }
    root = parseHex(h);
  }
  return root;
}
