// RFC 9162 §2.1 hashes, inclusion and consistency proofs, as
// ledger/core/merkle/src/merkle_proof.cc (index_out_of_range, proof_wrong_length,
// root_mismatch, bad_tree_sizes). Indices and sizes are BigInts (or Numbers).
import { MalformedError, VerificationError } from "./errors.js";
import { equal, hex, sha256, toBig } from "./util.js";

export const leafHash = (data) => sha256(Uint8Array.of(0), data);
export const nodeHash = (l, r) => sha256(Uint8Array.of(1), l, r);

const bitLength = (x) => (x === 0n ? 0 : x.toString(2).length);
const popcount = (x) => [...x.toString(2)].filter((c) => c === "1").length;

export function inclusionProofSize(index, size) {
  if (index >= size) return 0;
  const inner = bitLength(index ^ (size - 1n));
  const rest = inner >= 64 ? 0n : index >> BigInt(inner);
  return inner + popcount(rest);
}

function blockCount(size, level) {
  const mask = (1n << level) - 1n;
  return (size >> level) + (size & mask ? 1n : 0n);
}

export function consistencyProofSize(size1, size2) {
  if (size1 === 0n || size1 >= size2) return 0;
  const level = BigInt(bitLength(size1 & -size1) - 1);
  const index = (size1 - 1n) >> level;
  return (index !== 0n ? 1 : 0) + inclusionProofSize(index, blockCount(size2, level));
}

const wrongLength = (what, got, want) =>
  new VerificationError("proof_wrong_length", `${what} proof has ${got} hashes, want ${want}`);

function shift(fn, sn) {
  while ((fn & 1n) === 0n && fn !== 0n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  return [fn, sn];
}

export async function rootFromInclusionProof(index, size, leaf, proof) {
  index = toBig(index);
  size = toBig(size);
  if (index >= size) throw new MalformedError("index_out_of_range", `leaf ${index} not in tree of size ${size}`);
  const want = inclusionProofSize(index, size);
  if (proof.length !== want) throw wrongLength("inclusion", proof.length, want);
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw wrongLength("inclusion", proof.length, want);
    if (fn & 1n || fn === sn) {
      r = await nodeHash(p, r);
      [fn, sn] = shift(fn, sn);
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw wrongLength("inclusion", proof.length, want);
  return r;
}

export async function verifyInclusion(index, size, leaf, proof, root) {
  const computed = await rootFromInclusionProof(index, size, leaf, proof);
  if (!equal(computed, root)) {
    throw new VerificationError("root_mismatch", `inclusion proof for leaf ${index} implies root ${hex(computed)}`);
  }
}

export async function verifyConsistency(size1, size2, proof, root1, root2) {
  size1 = toBig(size1);
  size2 = toBig(size2);
  if (size1 > size2) throw new MalformedError("bad_tree_sizes", `size1 ${size1} > size2 ${size2}`);
  if (size1 === size2 || size1 === 0n) {
    if (proof.length) throw wrongLength("consistency", proof.length, 0);
    if (size1 === size2 && !equal(root1, root2)) throw new VerificationError("root_mismatch", "equal tree sizes with different roots");
    return;
  }
  const want = consistencyProofSize(size1, size2);
  if (proof.length !== want) throw wrongLength("consistency", proof.length, want);
  let next = 0;
  let fr;
  if ((size1 & (size1 - 1n)) === 0n) {
    fr = root1;
  } else {
    fr = proof[0];
    next = 1;
  }
  let sr = fr;
  let fn = size1 - 1n;
  let sn = size2 - 1n;
  while (fn & 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  for (const c of proof.slice(next)) {
    if (sn === 0n) throw wrongLength("consistency", proof.length, want);
    if (fn & 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      [fn, sn] = shift(fn, sn);
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw wrongLength("consistency", proof.length, want);
  if (!equal(fr, root1)) throw new VerificationError("root_mismatch", "consistency proof implies old root " + hex(fr));
  if (!equal(sr, root2)) throw new VerificationError("root_mismatch", "consistency proof implies new root " + hex(sr));
}
