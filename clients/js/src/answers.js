// Receipts and state answers as ledgerd and the explorer serve them, verified
// as `ledgerctl verify inclusion` and `ledgerctl verify-state` do.
import { resolvePolicy, verifyCheckpointWithKeys, WitnessPolicy } from "./checkpoint.js";
import { MalformedError, PreconditionError, VerificationError } from "./errors.js";
import { decodeEvent, KIND_NAMES } from "./event.js";
import { checkCode, makeCodePins, parseNotaryEvidence } from "./evidence.js";
import { checkRecordedAt, decodeLeaf } from "./leaf.js";
import { leafHash as rfc9162LeafHash, verifyConsistency, verifyInclusion } from "./merkle.js";
import { parseVerifierKey } from "./note.js";
import { decodeStamp } from "./stamp.js";
import { decodeMapProof, EMPTY, findMapRoot, keyOf, verifyMapProof } from "./statemap.js";
import { parseTlogProof, verifyTlogProofWithKeys } from "./tlog_proof.js";
import { b64decode, equal, has, hex, isPlainObject, isU64, parseHex, parseJsonStrict, toBig, toBytes } from "./util.js";

export const MAX_RECEIPT_SIZE = 4 << 20;
export const MAX_STATE_ANSWER_SIZE = 1 << 20;

function hash32(value, what) {
  const b = typeof value === "string" ? parseHex(value, 32) : value instanceof Uint8Array && value.length === 32 ? value : null;
  if (b === null) throw new MalformedError("bad_hash", `${what} is 32 bytes (64 hex digits)`);
  return b;
}

function isWhitespace(c) {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/**
 * A tlog-proof text, or ledgerd's receipt JSON (tlog_proof and notary,
 * possibly under "receipt"), as text, bytes or a parsed object.
 * MalformedError("malformed_receipt") and the tlog-proof's and evidence's reasons.
 */
export function parseReceipt(input) {
  let j;
  if (isPlainObject(input)) {
    j = input;
  } else {
    const data = toBytes(input);
    let i = 0;
    while (i < data.length && isWhitespace(data[i])) i++;
    if (data[i] !== 0x7b) return { proof: parseTlogProof(data), notary: null };
    j = parseJsonStrict(data, MAX_RECEIPT_SIZE);
  }
  if (isPlainObject(j) && has(j, "receipt")) j = j.receipt;
  if (!isPlainObject(j) || typeof j.tlog_proof !== "string") throw new MalformedError("malformed_receipt", "receipt JSON: no tlog_proof");
  const proof = parseTlogProof(j.tlog_proof);
  const notary = j.notary !== undefined && j.notary !== null ? parseNotaryEvidence(j.notary) : null;
  return { proof, notary };
}

const badState = (m) => new MalformedError("malformed_state_answer", "state answer: " + m);

/** ledger/codec StateProofFromJson plus the "notary" member. */
export function parseStateAnswer(input) {
  const j = isPlainObject(input) ? input : parseJsonStrict(input, MAX_STATE_ANSWER_SIZE);
  if (!isPlainObject(j)) throw badState("not an object");
  for (const k of Object.keys(j)) {
    if (!["subject", "checkpoint", "map_proof", "entry", "state", "notary"].includes(k)) throw badState("unknown field " + k);
  }
  const s = (o, name) => {
    if (typeof o[name] !== "string") throw badState(name + " missing");
    return o[name];
  };
  const p = { subject: s(j, "subject"), checkpointNote: null, mapProof: null, leaf: new Uint8Array(0), inclusionProof: [], notary: null };
  p.checkpointNote = toBytes(s(j, "checkpoint"));
  const raw = b64decode(s(j, "map_proof"));
  if (raw === null) throw badState("map_proof is not base64");
  p.mapProof = decodeMapProof(raw);
  if (!has(j, "entry")) throw badState("entry missing");
  const e = j.entry;
  if (e !== null) {
    if (!isPlainObject(e)) throw badState("entry is not an object");
    for (const k of Object.keys(e)) if (!["index", "leaf", "inclusion_proof"].includes(k)) throw badState("unknown entry field " + k);
    if (!isU64(e.index)) throw badState("entry.index");
    const leaf = b64decode(s(e, "leaf"));
    if (!leaf || !leaf.length) throw badState("entry.leaf is not base64");
    p.leaf = leaf;
    let decoded = null;
    try {
      decoded = decodeLeaf(leaf);
    } catch (err) {
      if (!(err instanceof MalformedError)) throw err;
    }
    if (decoded === null || decoded.index !== toBig(e.index)) throw badState("entry.index is not the leaf's");
    const proof = e.inclusion_proof;
    if (!Array.isArray(proof) || proof.length > 64) throw badState("entry.inclusion_proof");
    for (const h of proof) {
      if (typeof h !== "string") throw badState("entry.inclusion_proof");
      const d = b64decode(h);
      if (d === null || d.length !== 32) throw badState("entry.inclusion_proof hash");
      p.inclusionProof.push(d);
    }
  }
  if (j.notary !== undefined && j.notary !== null) p.notary = parseNotaryEvidence(j.notary);
  return p;
}

const entryMismatch = (m) => new VerificationError("state_entry_mismatch", m);

/** ledger::state_map::VerifyStateProof. */
export async function verifyStateProofWithKeys(p, logKey, witnessKeys, quorum) {
  const vc = await verifyCheckpointWithKeys(p.checkpointNote, logKey, witnessKeys, quorum);
  const out = {
    subject: p.subject, checkpoint: vc.checkpoint, cosignatures: vc.cosignatures, treeSize: vc.checkpoint.size,
    present: false, index: null, version: null, stateHash: null, leaf: null, event: null,
    setByKind: null, setByStamper: null, codeChecked: false, bootIndex: null,
  };
  const root = findMapRoot(out.checkpoint.extensions);
  if (root === null) throw new PreconditionError("map_root_missing", "the checkpoint does not commit to a state map");
  const value = await verifyMapProof(root, await keyOf(p.subject), p.mapProof);
  if (value === null) {
    if (p.leaf.length || p.inclusionProof.length) throw entryMismatch("an entry is given for a subject the map proves absent");
    return out;
  }
  out.present = true;
  out.index = value.index;
  out.version = value.version;
  out.stateHash = equal(value.state, EMPTY) ? null : value.state;
  if (!p.leaf.length) throw entryMismatch("the map records an entry but none is given");
  if (value.index >= out.checkpoint.size) throw entryMismatch("the map records an index beyond the checkpoint");
  await verifyInclusion(value.index, out.checkpoint.size, await rfc9162LeafHash(p.leaf), p.inclusionProof, out.checkpoint.root);
  const leaf = decodeLeaf(p.leaf);
  const event = decodeEvent(leaf.event);
  if (leaf.index !== value.index) throw entryMismatch("leaf index is not the map's");
  if (event.subject !== p.subject) throw entryMismatch("the entry names another subject");
  if (event.newStateHash !== null && !equal(event.newStateHash, value.state)) {
    throw entryMismatch("the entry's new state hash is not the recorded state");
  }
  if (event.newStateHash !== null) {
    out.setByKind = event.kindName;
    out.setByStamper = leaf.stamp.length ? decodeStamp(leaf.stamp).keyName : "";
  }
  out.leaf = leaf;
  out.event = event;
  return out;
}

/**
 * Everything a relying party pins, and the checks made with it. Made with
 * `await LedgerVerifier.create(logVkey, { witnesses, allowUnwitnessed, attestationRoot, pcr0 })`:
 *   logVkey: the log's C2SP verifier key (name = origin);
 *   witnesses: the deployment's WitnessPolicy (or { vkeys, quorum }); required unless allowUnwitnessed;
 *   attestationRoot, pcr0: the measured code that must stand behind answers
 *   (both or neither); with them every answer must carry notary evidence.
 */
export class LedgerVerifier {
  constructor(logKey, policy, pins) {
    this.logKey = logKey;
    this.policy = policy;
    this.pins = pins;
  }

  static async create(logVkey, { witnesses = null, allowUnwitnessed = false, attestationRoot = null, pcr0 = null } = {}) {
    const logKey = await parseVerifierKey(logVkey);
    if (witnesses !== null && !(witnesses instanceof WitnessPolicy) && isPlainObject(witnesses)) {
      witnesses = await WitnessPolicy.create(witnesses.vkeys ?? [], witnesses.quorum);
    }
    const policy = resolvePolicy(witnesses, allowUnwitnessed);
    const pins = makeCodePins(attestationRoot, pcr0);
    return new LedgerVerifier(logKey, policy, pins);
  }

  verifyCheckpoint(note) {
    return verifyCheckpointWithKeys(note, this.logKey, this.policy.keys, this.policy.quorum);
  }

  /** Both checkpoints verified with the pins, and the RFC 9162 proof (32-byte hashes, or base64) between them. */
  async verifyConsistency(oldNote, newNote, proof) {
    const old = await this.verifyCheckpoint(oldNote);
    const nu = await this.verifyCheckpoint(newNote);
    const hashes = proof.map((h) => {
      const d = typeof h === "string" ? b64decode(h) : h instanceof Uint8Array ? h : null;
      if (d === null || d.length !== 32) throw new MalformedError("malformed_proof", "a consistency proof holds 32-byte hashes");
      return d;
    });
    await verifyConsistency(old.checkpoint.size, nu.checkpoint.size, hashes, old.checkpoint.root, nu.checkpoint.root);
    return [old, nu];
  }

  /**
   * A tlog-proof text or receipt JSON (string, bytes or parsed object).
   * Returns { index, leafHash, leafBytes, leaf, event, checkpoint, cosignatures, codeChecked, bootIndex }.
   */
  async verifyReceipt(receipt, { leafHash = null } = {}) {
    const r = isPlainObject(receipt) && receipt.proof && receipt.proof.checkpoint instanceof Uint8Array ? receipt : parseReceipt(receipt);
    const proof = r.proof;
    if (leafHash !== null && leafHash !== undefined) {
      leafHash = hash32(leafHash, "leafHash");
      if (proof.extra !== null && !equal(await rfc9162LeafHash(proof.extra), leafHash)) {
        throw new VerificationError("leaf_mismatch", "the receipt's leaf does not hash to leafHash");
      }
    } else if (proof.extra !== null) {
      leafHash = await rfc9162LeafHash(proof.extra);
    } else {
      throw new MalformedError("missing_leaf", "the receipt carries no leaf: pass leafHash");
    }
    const vc = await verifyTlogProofWithKeys(proof, leafHash, this.logKey, this.policy.keys, this.policy.quorum);
    let leaf = null;
    if (proof.extra !== null) {
      leaf = decodeLeaf(proof.extra);
      checkRecordedAt(leaf.recordedAtUs, vc.cosignatures, this.policy.quorum);
    }
    const codeChecked = await checkCode(this.pins, r.notary, proof.index, vc.checkpoint, this.logKey);
    return {
      index: proof.index, leafHash, leafBytes: proof.extra, leaf, event: leaf !== null ? decodeEvent(leaf.event) : null,
      checkpoint: vc.checkpoint, cosignatures: vc.cosignatures, codeChecked,
      bootIndex: codeChecked ? r.notary.bootIndex : null,
    };
  }

  /**
   * A state answer (GET /v1/state/{subject}), as `ledgerctl verify-state`.
   *   subject: the subject asked about (subject_mismatch otherwise);
   *   expectState: the state hash (hex or 32 bytes) the caller holds; anything
   *     but the latest notarized state is state_not_latest;
   *   minSize: the newest tree size the caller has seen (stale_checkpoint);
   *   stamper, kind: who must have set the state (state_setter_mismatch, state_setter_unknown).
   */
  async verifyState(answer, { subject = null, expectState = null, minSize = 0, stamper = null, kind = null } = {}) {
    if (!isU64(minSize)) throw new MalformedError("bad_min_size", "minSize is a tree size");
    const p = isPlainObject(answer) && answer.checkpointNote instanceof Uint8Array ? answer : parseStateAnswer(answer);
    if (subject !== null && subject !== p.subject) throw new VerificationError("subject_mismatch", "the answer is about " + p.subject);
    const v = await verifyStateProofWithKeys(p, this.logKey, this.policy.keys, this.policy.quorum);
    if (v.leaf !== null) checkRecordedAt(v.leaf.recordedAtUs, v.cosignatures, this.policy.quorum);
    if (v.checkpoint.size < toBig(minSize)) {
      throw new VerificationError("stale_checkpoint", `the answer is as of size ${v.checkpoint.size}, older than ${minSize}`);
    }
    if (expectState !== null && expectState !== undefined) {
      const want = hash32(expectState, "expectState");
      if (!v.present || !equal(v.stateHash ?? EMPTY, want)) {
        throw new VerificationError("state_not_latest", `state ${hex(want)} is not the latest notarized state of ${p.subject}`);
      }
    }
    if (stamper !== null || kind !== null) {
      if (v.setByKind === null) throw new VerificationError("state_setter_unknown", "the latest entry of the subject did not set its state");
      if (kind !== null) {
        if (!KIND_NAMES.slice(1).includes(kind)) throw new MalformedError("unknown_event_kind", `unknown event kind "${String(kind).slice(0, 64)}"`);
        if (kind !== v.setByKind) throw new VerificationError("state_setter_mismatch", `the state was set by a ${v.setByKind} entry`);
      }
      if (stamper !== null && stamper !== v.setByStamper) {
        throw new VerificationError("state_setter_mismatch", `the state was set by '${v.setByStamper}', not '${stamper}'`);
      }
    }
    const entry = v.present ? v.index : v.checkpoint.size - 1n;
    v.codeChecked = await checkCode(this.pins, p.notary, entry, v.checkpoint, this.logKey);
    if (v.codeChecked) v.bootIndex = p.notary.bootIndex;
    return v;
  }
}
