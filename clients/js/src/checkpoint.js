// C2SP tlog-checkpoint and cosigned-checkpoint verification with a witness
// policy, as ledger/core/note/src/checkpoint.cc (schemas/formats/checkpoint.md §4).
import { MalformedError, VerificationError } from "./errors.js";
import { ALG_COSIGNATURE_V1, openNote, parseNote, parseVerifierKey, validateText } from "./note.js";
import { b64decode, beBig, equal, parseDecimalU64, text, toBytes } from "./util.js";

const malformed = (m) => new MalformedError("malformed_checkpoint", m);

export function validateOrigin(origin) {
  const data = toBytes(origin);
  if (data.length < 1 || data.length > 255) throw new MalformedError("invalid_origin", "origin must be 1 to 255 bytes");
  for (const c of data) {
    if (c < 0x21 || c > 0x7e || c === 0x2b) {
      throw new MalformedError("invalid_origin", "origin must be printable ASCII without spaces or '+'");
    }
  }
}

function splitLines(d) {
  const out = [];
  let start = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i] === 0x0a) {
      out.push(d.subarray(start, i));
      start = i + 1;
    }
  }
  out.push(d.subarray(start));
  return out;
}

/** origin, size (BigInt), root (32 bytes), extensions (non-empty lines). */
export function parseCheckpointText(input) {
  const data = toBytes(input);
  try {
    validateText(data);
  } catch (e) {
    throw malformed(e.detail);
  }
  const lines = splitLines(data.subarray(0, data.length - 1));
  if (lines.length < 3) throw malformed("fewer than three lines");
  validateOrigin(lines[0]);
  const size = parseDecimalU64(lines[1]);
  if (size === null) throw malformed("tree size is not a canonical decimal");
  const root = b64decode(lines[2]);
  if (root === null || root.length !== 32) throw malformed("root must be the canonical base64 of 32 bytes");
  const extensions = [];
  for (const line of lines.slice(3)) {
    if (!line.length) throw malformed("empty extension line");
    extensions.push(text(line));
  }
  return { origin: text(lines[0]), size, root, extensions };
}

/**
 * The witness keys (C2SP vkeys, cosignature/v1) and the number K of them that
 * must have cosigned, as the deployment's manifest or pins state them. Made
 * with `await WitnessPolicy.create(vkeys, quorum)` (quorum defaults to every
 * key). MalformedError("bad_witness_policy") when a key does not parse or K
 * exceeds the number of keys. K = 0 is a deployment without witnesses.
 */
export class WitnessPolicy {
  constructor(keys, quorum) {
    this.keys = keys;
    this.quorum = quorum;
  }

  static async create(witnesses = [], quorum = undefined) {
    if (!Array.isArray(witnesses)) throw new MalformedError("bad_witness_policy", "witnesses are a list of vkeys");
    const keys = [];
    for (const w of witnesses) {
      try {
        keys.push(await parseVerifierKey(w));
      } catch (e) {
        if (e instanceof MalformedError) throw new MalformedError("bad_witness_policy", `witness key ${w}: ${e.detail}`);
        throw e;
      }
    }
    if (quorum === undefined || quorum === null) quorum = keys.length;
    if (typeof quorum === "bigint" && quorum >= 0n && quorum <= 1000000n) quorum = Number(quorum);
    if (!Number.isSafeInteger(quorum) || quorum < 0) throw new MalformedError("bad_witness_policy", "the quorum is a count");
    if (quorum > keys.length) {
      throw new MalformedError("bad_witness_policy", `the witness quorum ${quorum} exceeds the ${keys.length} witness keys`);
    }
    return new WitnessPolicy(keys, quorum);
  }

  /** A deployment's pins.json object: witness_vkeys and witness_quorum. */
  static async fromPins(pins) {
    if (pins === null || typeof pins !== "object" || !Array.isArray(pins.witness_vkeys)) {
      throw new MalformedError("bad_pins", "witness_vkeys (array) and witness_quorum (number) are required");
    }
    const q = pins.witness_quorum;
    if (!((Number.isSafeInteger(q) && q >= 0) || (typeof q === "bigint" && q >= 0n))) {
      throw new MalformedError("bad_pins", "witness_quorum must be a count");
    }
    if (!pins.witness_vkeys.every((v) => typeof v === "string")) throw new MalformedError("bad_pins", "witness_vkeys holds strings");
    return WitnessPolicy.create(pins.witness_vkeys, q);
  }

  /** The same keys with K = 0 (allowUnwitnessed). */
  waived() {
    return new WitnessPolicy([...this.keys], 0);
  }
}

/** The pinned policy, K waived with allowUnwitnessed, nothing pinned refused (witness_pins_missing). */
export function resolvePolicy(witnesses, allowUnwitnessed) {
  if (witnesses === null || witnesses === undefined) {
    if (!allowUnwitnessed) {
      throw new MalformedError("witness_pins_missing",
        "a checkpoint is trusted only with the witness quorum: pass the deployment's WitnessPolicy, or allowUnwitnessed: true");
    }
    return new WitnessPolicy([], 0);
  }
  if (!(witnesses instanceof WitnessPolicy)) throw new MalformedError("bad_witness_policy", "witnesses must be a WitnessPolicy");
  return allowUnwitnessed ? witnesses.waived() : witnesses;
}

/**
 * ledger::VerifyCheckpoint: parse, origin equals the log key's name
 * (origin_mismatch), open with the log and witness keys (bad_signature,
 * unverified_note), count witnesses once by name and by public key
 * (witness_quorum_not_met). Returns { checkpoint, note, cosignatures: [{witness, timestamp}] }.
 */
export async function verifyCheckpointWithKeys(noteText, logKey, witnesses = [], quorum = 0) {
  const data = toBytes(noteText);
  const parsed = parseNote(data);
  const checkpoint = parseCheckpointText(parsed.text);
  if (logKey.name !== checkpoint.origin) {
    throw new VerificationError("origin_mismatch", `checkpoint origin ${checkpoint.origin} is not the log key's name`);
  }
  const known = [logKey];
  for (const w of witnesses) if (w != null && !known.includes(w)) known.push(w);
  const verified = await openNote(parsed, known);
  if (!verified.includes(logKey)) throw new VerificationError("unverified_note", "no signature from the log key");
  const cosignatures = [];
  const countedKeys = [];
  for (const sig of parsed.signatures) {
    if (sig.name === logKey.name) continue;
    for (const w of known) {
      if (w.name !== sig.name || w.keyId !== sig.keyId) continue;
      if (cosignatures.some((c) => c.witness === w.name) || countedKeys.some((k) => equal(k, w.material))) continue;
      countedKeys.push(w.material);
      const timestamp = w.alg === ALG_COSIGNATURE_V1 ? beBig(sig.payload.subarray(0, 8)) : 0n;
      cosignatures.push({ witness: w.name, timestamp });
    }
  }
  if (cosignatures.length < quorum) {
    throw new VerificationError("witness_quorum_not_met", `${cosignatures.length} of ${quorum} required witnesses cosigned`);
  }
  return { checkpoint, note: data, cosignatures };
}

/**
 * Verifies a cosigned checkpoint with the pinned log key (a vkey string or
 * VerifierKey) and the deployment's WitnessPolicy (required unless allowUnwitnessed).
 */
export async function verifyCheckpoint(noteText, logKey, witnesses = null, allowUnwitnessed = false) {
  logKey = await parseVerifierKey(logKey);
  const policy = resolvePolicy(witnesses, allowUnwitnessed);
  return verifyCheckpointWithKeys(noteText, logKey, policy.keys, policy.quorum);
}
