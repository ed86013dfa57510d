// Submitter stamps v1 and batch stamps v2, as ledger/core/record/src/stamp.cc (stamp.md).
import { MalformedError, VerificationError, LedgerError } from "./errors.js";
import { inclusionProofSize, leafHash, rootFromInclusionProof } from "./merkle.js";
import { ALG_ECDSA, ALG_ED25519, ALG_PRIVATE, isValidKeyName, p256LowS, parseVerifierKey } from "./note.js";
import { ascii, beNum, concat, hex, sha256, text, toBytes } from "./util.js";

export const MAX_BATCH_STAMP_EVENTS = 1 << 20;

export async function stampText(origin, eventBytes) {
  return concat(ascii("audit-ledger/stamp/v1\n"), toBytes(origin), ascii("\n" + hex(await sha256(eventBytes)) + "\n"));
}

/** stamp.md §7.1: what a batch stamp signs. */
export function batchStampText(origin, count, root) {
  return concat(ascii("audit-ledger/stamp-batch/v1\n"), toBytes(origin), ascii(`\n${count}\n${hex(root)}\n`));
}

const bad = (m) => new MalformedError("malformed_stamp", m);

/**
 * Strict inverse of EncodeStamp: { keyName, keyId, payload, batch }, batch being
 * null or { index, count, path } for a batch stamp. MalformedError("malformed_stamp").
 */
export function decodeStamp(input) {
  const data = toBytes(input);
  if (data.length < 2) throw bad("truncated");
  if (data[0] !== 0x01 && data[0] !== 0x02) throw bad(`unknown version ${data[0]}`);
  const nameLen = data[1];
  let pos = 2;
  if (data.length - pos < nameLen + 6) throw bad("truncated");
  const name = data.subarray(pos, pos + nameLen);
  pos += nameLen;
  const keyId = beNum(data.subarray(pos, pos + 4));
  const payloadLen = beNum(data.subarray(pos + 4, pos + 6));
  pos += 6;
  if (data.length - pos < payloadLen) throw bad("truncated");
  const payload = data.slice(pos, pos + payloadLen);
  pos += payloadLen;
  let batch = null;
  if (data[0] === 0x02) {
    if (data.length - pos < 9) throw bad("truncated");
    const index = beNum(data.subarray(pos, pos + 4));
    const count = beNum(data.subarray(pos + 4, pos + 8));
    const pathLen = data[pos + 8];
    pos += 9;
    if (data.length - pos < 32 * pathLen) throw bad("truncated");
    const path = [];
    for (let i = 0; i < pathLen; i++) path.push(data.slice(pos + 32 * i, pos + 32 * (i + 1)));
    pos += 32 * pathLen;
    if (count === 0 || count > MAX_BATCH_STAMP_EVENTS || index >= count) throw bad(`batch index ${index} of ${count} events`);
    if (pathLen !== inclusionProofSize(BigInt(index), BigInt(count))) throw bad(`a path of ${pathLen} hashes for event ${index} of ${count}`);
    batch = { index, count, path };
  }
  if (pos !== data.length) throw bad("trailing bytes");
  if (!name.length || !isValidKeyName(name)) throw bad("stamp key name must be a valid key name of 1..255 bytes");
  if (!payload.length) throw bad("signature payload must be 1..65535 bytes");
  return { keyName: text(name), keyId, payload, batch };
}

/**
 * The submitter key (of `submitters`, vkeys or VerifierKeys) whose stamp
 * verifies. Reasons missing_stamp, malformed_stamp, unknown_submitter, bad_stamp.
 * Ed25519, ECDSA P-256 (low s) through WebCrypto; secp256k1, which WebCrypto
 * lacks, with the package's own BigInt arithmetic (ecdsa.js).
 */
export async function verifyStamp(origin, eventBytes, stampBytes, submitters) {
  stampBytes = toBytes(stampBytes);
  if (!stampBytes.length) throw new VerificationError("missing_stamp", "the event is not stamped");
  const stamp = decodeStamp(stampBytes);
  let msg;
  if (stamp.batch === null) {
    msg = await stampText(origin, toBytes(eventBytes));
  } else {
    // A changed path, index or count leads to a root the submitter never
    // signed, so the signature check below refuses it (bad_stamp).
    const { index, count, path } = stamp.batch;
    const root = await rootFromInclusionProof(index, count, await leafHash(toBytes(eventBytes)), path);
    msg = batchStampText(origin, count, root);
  }
  const keys = [];
  for (const s of submitters) keys.push(await parseVerifierKey(s));
  let known = false;
  for (const v of keys) {
    if (v.alg !== ALG_ED25519 && v.alg !== ALG_ECDSA && v.alg !== ALG_PRIVATE) continue;
    if (v.name !== stamp.keyName || v.keyId !== stamp.keyId) continue;
    known = true;
    if (!(await v.verify(msg, stamp.payload))) continue;
    if (v.alg === ALG_ECDSA && !p256LowS(stamp.payload)) continue;
    return v;
  }
  if (!known) throw new VerificationError("unknown_submitter", `no known submitter key ${stamp.keyName.slice(0, 64)}`);
  throw new VerificationError("bad_stamp", `stamp by ${stamp.keyName} does not verify`);
}

/** ownership.h StampedByLogKey: the leaf's stamp verifies with the log key. */
export async function stampedByLogKey(leaf, logKey) {
  try {
    await verifyStamp(logKey.name, leaf.event, leaf.stamp, [logKey]);
    return true;
  } catch (e) {
    if (e instanceof LedgerError) return false;
    throw e;
  }
}
