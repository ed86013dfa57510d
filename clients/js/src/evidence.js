// The notary evidence of receipts and state answers (receipt.md §4,
// app-proof.md), as ledger/codec/src/notary_evidence_json.cc,
// notary-enclave/src/app_proof.cc and ledger/cli/src/notary_evidence_check.cc.
import { rootDerOf, verifyAttestation } from "./attestation.js";
import { parseCheckpointText, validateOrigin, verifyCheckpointWithKeys } from "./checkpoint.js";
import { LedgerError, MalformedError, VerificationError } from "./errors.js";
import { decodeEvent } from "./event.js";
import { decodeLeaf } from "./leaf.js";
import { leafHash, verifyConsistency, verifyInclusion } from "./merkle.js";
import { parseNote } from "./note.js";
import { stampedByLogKey } from "./stamp.js";
import { ascii, b64decode, equal, has, hex, isPlainObject, isU64, parseHex, sha256, subtle, toBig, toBytes } from "./util.js";

export const APP_PROOF_SCHEME = "audit-ledger/app-proof/v1";

const malformed = (m) => new MalformedError("malformed_notary_evidence", "notary evidence: " + m);

function members(j, where, names) {
  if (!isPlainObject(j)) throw malformed(`${where} is not an object`);
  for (const k of Object.keys(j)) if (!names.includes(k)) throw malformed(`unknown field ${where}.${k.slice(0, 64)}`);
  for (const n of names) if (!has(j, n)) throw malformed(`${where}.${n} missing`);
}

function str(j, name) {
  if (typeof j[name] !== "string") throw malformed(`${name} is not a string`);
  return j[name];
}

function u64(j, name) {
  if (!isU64(j[name])) throw malformed(`${name} is not a count`);
  return toBig(j[name]);
}

function b64(j, name) {
  const out = b64decode(str(j, name));
  if (!out || !out.length) throw malformed(`${name} is not base64`);
  return out;
}

function hashes(j, name) {
  const a = j[name];
  if (!Array.isArray(a) || a.length > 64) throw malformed(`${name} is not a proof`);
  return a.map((h) => {
    if (typeof h !== "string") throw malformed(`${name} holds a non-string`);
    const d = b64decode(h);
    if (d === null || d.length !== 32) throw malformed(`${name} holds a bad hash`);
    return d;
  });
}

/** The "notary" member of a receipt or state answer. MalformedError("malformed_notary_evidence"). */
export function parseNotaryEvidence(j) {
  members(j, "notary", ["pcr0", "batch", "app_proof", "boot"]);
  const pcr0 = parseHex(str(j, "pcr0"));
  if (pcr0 === null) throw malformed("pcr0 is not hex");
  const batch = j.batch;
  members(batch, "batch", ["checkpoint", "first_index", "count", "consistency_proof"]);
  const e = { pcr0 };
  e.batchCheckpoint = toBytes(str(batch, "checkpoint"));
  e.firstIndex = u64(batch, "first_index");
  e.count = u64(batch, "count");
  e.batchConsistency = hashes(batch, "consistency_proof");
  const proof = j.app_proof;
  members(proof, "app_proof", ["payload", "signature", "public_key"]);
  e.appProofPayload = toBytes(str(proof, "payload"));
  e.appProofSignature = b64(proof, "signature");
  e.appProofPublicKey = b64(proof, "public_key");
  const boot = j.boot;
  members(boot, "boot", ["index", "leaf", "inclusion_proof", "attestation"]);
  e.bootIndex = u64(boot, "index");
  e.bootLeaf = b64(boot, "leaf");
  e.bootInclusion = hashes(boot, "inclusion_proof");
  e.attestation = b64(boot, "attestation");
  return e;
}

export function appProofPayload(origin, size, root, firstIndex, count, checkpointDigest) {
  validateOrigin(origin);
  const escaped = origin.replace(/["\\]/g, (c) => "\\" + c);
  return ascii(`{"scheme":"${APP_PROOF_SCHEME}","origin":"${escaped}","size":${size},"root":"${hex(root)}",`
    + `"first_index":${firstIndex},"count":${count},"checkpoint_digest":"${hex(checkpointDigest)}"}`);
}

/**
 * notary::VerifyAppProof: the payload recomputed from the checkpoint and range
 * (app_proof_mismatch), signed by the P-256 key (bad_public_key, bad_signature).
 */
export async function verifyAppProof(checkpointNote, firstIndex, count, payload, signature, publicKey) {
  const note = parseNote(checkpointNote);
  const cp = parseCheckpointText(note.text);
  const expected = appProofPayload(cp.origin, cp.size, cp.root, firstIndex, count, await sha256(toBytes(checkpointNote)));
  if (!equal(toBytes(payload), expected)) {
    throw new VerificationError("app_proof_mismatch", "the payload is not the one for this checkpoint and batch");
  }
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    throw new MalformedError("bad_public_key", "P-256 public key must be 65 bytes, SEC1 uncompressed");
  }
  let key;
  try {
    key = await subtle().importKey("raw", publicKey.slice(), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    throw new MalformedError("bad_public_key", "not a point on P-256");
  }
  let ok = false;
  if (signature.length === 64) {
    try {
      ok = await subtle().verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, toBytes(payload));
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new VerificationError("bad_signature", "ECDSA P-256 signature does not verify");
}

/** The attestation root (DER bytes or PEM) and the PCR0 (hex or bytes) that must stand behind an answer. */
export class CodePins {
  constructor(rootDer, pcr0) {
    this.rootDer = rootDer;
    this.pcr0 = pcr0;
  }
  static of(root, pcr0) {
    const rootDer = rootDerOf(root);
    const pcr = typeof pcr0 === "string" ? parseHex(pcr0) : pcr0 instanceof Uint8Array ? pcr0 : null;
    if (pcr === null || ![32, 48, 64].includes(pcr.length)) {
      throw new MalformedError("bad_pcr0", "the PCR0 pin is 32, 48 or 64 bytes in hex");
    }
    return new CodePins(rootDer, pcr);
  }
}

export function makeCodePins(attestationRoot = null, pcr0 = null) {
  if (attestationRoot == null && pcr0 == null) return null;
  if (attestationRoot == null) throw new MalformedError("attestation_root_missing", "pcr0 needs attestationRoot, the root it chains to");
  if (pcr0 == null) throw new MalformedError("pcr0_pin_missing", "attestationRoot needs pcr0");
  return CodePins.of(attestationRoot, pcr0);
}

const fail = (reason, message) => new VerificationError(reason, message);

/** The chain from entry `index` of an answer whose checkpoint `answer` was verified, to the pinned root and PCR0. */
export async function verifyNotaryEvidence(e, index, answer, logKey, pins) {
  index = toBig(index);
  if (e.count === 0n || index < e.firstIndex || index - e.firstIndex >= e.count) {
    throw fail("app_proof_wrong_batch",
      `the app proof covers entries ${e.firstIndex} to ${e.firstIndex + e.count}, not entry ${index}`);
  }
  const batch = (await verifyCheckpointWithKeys(e.batchCheckpoint, logKey)).checkpoint;
  if (batch.origin !== answer.origin || batch.size !== e.firstIndex + e.count) {
    throw fail("batch_checkpoint_mismatch", "the batch checkpoint is not of this log at the batch's end");
  }
  if (batch.size > answer.size) throw fail("app_proof_wrong_batch", "the batch ends after the answer's checkpoint");
  let prefix;
  if (batch.size === answer.size) {
    prefix = equal(batch.root, answer.root);
  } else {
    try {
      await verifyConsistency(batch.size, answer.size, e.batchConsistency, batch.root, answer.root);
      prefix = true;
    } catch (err) {
      if (!(err instanceof LedgerError)) throw err;
      prefix = false;
    }
  }
  if (!prefix) throw fail("batch_not_in_answer", "the batch's tree is not a prefix of the answer's tree");
  await verifyAppProof(e.batchCheckpoint, e.firstIndex, e.count, e.appProofPayload, e.appProofSignature, e.appProofPublicKey);
  if (e.bootIndex > e.firstIndex) throw fail("boot_entry_invalid", "the boot entry comes after the batch it would have signed");
  try {
    await verifyInclusion(e.bootIndex, answer.size, await leafHash(e.bootLeaf), e.bootInclusion, answer.root);
  } catch (err) {
    if (!(err instanceof LedgerError)) throw err;
    throw fail("boot_entry_not_in_answer", `the boot entry is not entry ${e.bootIndex} of the answer's tree`);
  }
  let event = null;
  let ok = false;
  try {
    const leaf = decodeLeaf(e.bootLeaf);
    event = decodeEvent(leaf.event);
    ok = event.kindName === "ENCLAVE_BOOTED" && (await stampedByLogKey(leaf, logKey));
  } catch (err) {
    if (!(err instanceof LedgerError)) throw err;
    ok = false;
  }
  if (!ok) throw fail("boot_entry_invalid", `entry ${e.bootIndex} is not an ENCLAVE_BOOTED entry of the log key`);
  const key = event.attribute("ephemeral_public_key");
  if (key === null || key !== hex(e.appProofPublicKey)) {
    throw fail("app_proof_other_boot", `the app proof is signed by a key that boot entry ${e.bootIndex} does not record`);
  }
  if (event.payloadDigest === null || !equal(await sha256(e.attestation), event.payloadDigest)) {
    throw fail("attestation_mismatch", `the attestation document is not boot entry ${e.bootIndex}'s payload`);
  }
  const digestHex = event.attribute("manifest_digest");
  const digest = digestHex !== null ? parseHex(digestHex) : new Uint8Array(0);
  if (digest === null || digest.length !== 32) throw fail("boot_entry_invalid", "the boot entry records no manifest digest");
  const verified = await verifyAttestation(e.attestation, pins.rootDer, {
    expectedPcrs: new Map([[0, pins.pcr0]]), expectedUserData: digest,
  });
  if (!equal(verified.publicKey, e.appProofPublicKey)) {
    throw fail("public_key_mismatch", "the document attests another key than the app proof's");
  }
}

/** Nothing without pins; with them the evidence is required (notary_evidence_missing) and checked. */
export async function checkCode(pins, evidence, index, answer, logKey) {
  if (pins === null) return false;
  if (evidence === null || evidence === undefined) {
    throw new VerificationError("notary_evidence_missing",
      "the code is pinned, and the answer carries no notary evidence to check it with");
  }
  await verifyNotaryEvidence(evidence, index, answer, logKey, pins);
  return true;
}
