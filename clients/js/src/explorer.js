// The explorer's JSON answers (explorer/README.md) checked against what they
// prove: an entry's receipt, and every field the explorer shows beside it that
// the receipt's leaf determines; a state answer, and the "state" summary the
// explorer shows beside its proof. A page that renders these fields (the
// explorer's web UI) then shows nothing the proofs do not back.
import { MAX_RECEIPT_SIZE, MAX_STATE_ANSWER_SIZE, parseReceipt } from "./answers.js";
import { VerificationError } from "./errors.js";
import { decodeStamp } from "./stamp.js";
import { findMapRoot } from "./statemap.js";
import { b64decode, equal, has, hex, isPlainObject, parseJsonStrict, toBig, utf8 } from "./util.js";

const entryMismatch = (m) => new VerificationError("entry_mismatch", m);
const stateMismatch = (m) => new VerificationError("state_mismatch", m);

// A shown field must be absent or equal what the proof gives.
function same(shown, proven) {
  if (shown === undefined) return true;
  if (typeof proven === "bigint") return (typeof shown === "bigint" || Number.isSafeInteger(shown)) && toBig(shown) === proven;
  return shown === proven;
}

// The receipt's tree_size, checkpoint and inclusion_proof members, shown
// beside its tlog_proof, must be the tlog_proof's.
function checkShownProof(receipt, proof, size) {
  if (!same(receipt.tree_size, size)) throw entryMismatch("the receipt states another tree size than its checkpoint");
  const note = receipt.checkpoint;
  if (note !== undefined && (typeof note !== "string" || !equal(utf8(note), proof.checkpoint))) {
    throw entryMismatch("the receipt shows another checkpoint than its tlog_proof");
  }
  const hashes = receipt.inclusion_proof;
  if (hashes === undefined) return;
  if (!Array.isArray(hashes) || hashes.length !== proof.inclusion.length ||
      !hashes.every((h, i) => typeof h === "string" && equal(b64decode(h), proof.inclusion[i]))) {
    throw entryMismatch("the receipt shows another inclusion proof than its tlog_proof");
  }
}

/**
 * GET /v1/entries/{index} (text, bytes or a strictly parsed object): its
 * receipt verified with `verifier` (a LedgerVerifier), for entry `index`, and
 * the leaf, leaf_hex, leaf_hash, prev_leaf_hash, recorded_at_us, stamp and
 * event_bytes shown beside it equal to the receipt's leaf, and the receipt's
 * tree_size, checkpoint and inclusion_proof to its tlog_proof (entry_mismatch).
 * Returns verifier.verifyReceipt's result.
 */
export async function verifyExplorerEntry(verifier, body, index) {
  const j = isPlainObject(body) ? body : parseJsonStrict(body, MAX_RECEIPT_SIZE, 32);
  if (!isPlainObject(j) || !isPlainObject(j.receipt)) {
    throw new VerificationError("receipt_missing", "the explorer's entry carries no receipt");
  }
  const r = parseReceipt(j.receipt);
  const v = await verifier.verifyReceipt(r);
  if (v.index !== toBig(index)) throw new VerificationError("index_mismatch", `asked for entry ${index}, got ${v.index}`);
  if (!same(j.index, v.index)) throw entryMismatch("the entry states another index than its receipt");
  checkShownProof(j.receipt, r.proof, v.checkpoint.size);
  if (v.leaf === null) return v;
  const raw = b64decode(typeof j.leaf === "string" ? j.leaf : "");
  if (has(j, "leaf") && (raw === null || !equal(raw, v.leafBytes))) throw entryMismatch("the explorer shows other leaf bytes than the receipt's");
  if (!same(j.leaf_hex, hex(v.leafBytes))) throw entryMismatch("the explorer shows other leaf bytes (hex) than the receipt's");
  if (!same(j.leaf_hash, hex(v.leafHash))) throw entryMismatch("the explorer shows another leaf hash than the receipt's");
  if (!same(j.prev_leaf_hash, hex(v.leaf.prevLeafHash))) throw entryMismatch("the explorer shows another chain hash than the receipt's leaf");
  if (!same(j.recorded_at_us, v.leaf.recordedAtUs)) throw entryMismatch("the explorer shows another recording time than the receipt's leaf");
  if (isPlainObject(j.stamp)) {
    const stamp = v.leaf.stamp.length ? decodeStamp(v.leaf.stamp) : null;
    if (stamp === null || !same(j.stamp.key_name, stamp.keyName) ||
        (j.stamp.bytes !== undefined && !equal(typeof j.stamp.bytes === "string" ? b64decode(j.stamp.bytes) : null, v.leaf.stamp))) {
      throw entryMismatch("the explorer shows another stamp than the receipt's leaf");
    }
  }
  const shown = j.event_bytes;
  if (shown !== undefined && shown !== null && !equal(typeof shown === "string" ? b64decode(shown) : null, v.leaf.event)) {
    throw entryMismatch("the explorer shows other event bytes than the receipt's leaf");
  }
  return v;
}

/**
 * GET /v1/state/{subject} (text, bytes or a strictly parsed object) verified
 * with verifier.verifyState(answer, options), and its "state" summary, when
 * present, equal to what the proof gives: present, tree_size, index,
 * version, state_hash, map_root (state_mismatch).
 */
export async function verifyExplorerState(verifier, body, options = {}) {
  const j = isPlainObject(body) ? body : parseJsonStrict(body, MAX_STATE_ANSWER_SIZE);
  const v = await verifier.verifyState(j, options);
  const s = isPlainObject(j) ? j.state : undefined;
  if (s === undefined || s === null) return v;
  if (!isPlainObject(s)) throw stateMismatch("the state summary is not an object");
  if (!same(s.present, v.present)) throw stateMismatch("the summary says the subject is " + (v.present ? "absent" : "present"));
  if (!same(s.tree_size, v.treeSize)) throw stateMismatch("the summary is as of another tree size");
  if (!same(s.map_root, hex(findMapRoot(v.checkpoint.extensions)))) throw stateMismatch("the summary shows another map root");
  if (v.present) {
    if (!same(s.index, v.index) || !same(s.version, v.version)) throw stateMismatch("the summary states another version than its proof");
    if (!same(s.state_hash, v.stateHash === null ? null : hex(v.stateHash))) throw stateMismatch("the summary shows another state hash");
  } else if (s.index !== undefined || s.version !== undefined || s.state_hash !== undefined) {
    throw stateMismatch("the summary states a version of a subject the map proves absent");
  }
  return v;
}
