// C2SP tlog-proof receipts, as ledger/core/note/src/tlog_proof.cc (receipt.md).
import { parseCheckpointText, verifyCheckpointWithKeys } from "./checkpoint.js";
import { MalformedError } from "./errors.js";
import { verifyInclusion } from "./merkle.js";
import { MAX_NOTE_SIZE, parseNote } from "./note.js";
import { ascii, b64decode, equal, parseDecimalU64, toBytes } from "./util.js";

const HEADER = ascii("c2sp.org/tlog-proof@v1");
const EXTRA = ascii("extra ");
const INDEX = ascii("index ");
const MAX_HASHES = 63;
const MAX_SIZE = 2 * MAX_NOTE_SIZE;

const malformed = (m) => new MalformedError("malformed_tlog_proof", m);
const startsWith = (d, p) => d.length >= p.length && equal(d.subarray(0, p.length), p);

/** Strict parse: { extra (bytes or null), index (BigInt), inclusion: [32-byte hashes], checkpoint (the signed note bytes) }. */
export function parseTlogProof(input) {
  const data = toBytes(input);
  if (data.length > MAX_SIZE) throw malformed("proof too large");
  let pos = 0;
  const nextLine = () => {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0) return null;
    const line = data.subarray(pos, nl);
    pos = nl + 1;
    return line;
  };
  let line = nextLine();
  if (line === null || !equal(line, HEADER)) throw malformed("missing header line");
  line = nextLine();
  if (line === null) throw malformed("missing index line");
  let extra = null;
  if (startsWith(line, EXTRA)) {
    extra = b64decode(line.subarray(6));
    if (extra === null) throw malformed("extra is not canonical base64");
    line = nextLine();
    if (line === null) throw malformed("missing index line");
  }
  if (!startsWith(line, INDEX)) throw malformed("expected the index line");
  const index = parseDecimalU64(line.subarray(6));
  if (index === null) throw malformed("index is not a canonical decimal");
  const inclusion = [];
  for (;;) {
    line = nextLine();
    if (line === null) throw malformed("missing blank line before the checkpoint");
    if (!line.length) break;
    if (inclusion.length === MAX_HASHES) throw malformed(`more than ${MAX_HASHES} proof hashes`);
    const h = b64decode(line);
    if (h === null || h.length !== 32) throw malformed("proof line is not the base64 of a 32-byte hash");
    inclusion.push(h);
  }
  const rest = data.slice(pos);
  try {
    const note = parseNote(rest);
    parseCheckpointText(note.text);
  } catch (e) {
    if (e instanceof MalformedError) throw malformed("checkpoint: " + e.detail);
    throw e;
  }
  return { extra, index, inclusion, checkpoint: rest };
}

/** Checkpoint first (log key, witnesses), then the inclusion proof. */
export async function verifyTlogProofWithKeys(proof, leafHash, logKey, witnesses, quorum) {
  const verified = await verifyCheckpointWithKeys(proof.checkpoint, logKey, witnesses, quorum);
  await verifyInclusion(proof.index, verified.checkpoint.size, leafHash, proof.inclusion, verified.checkpoint.root);
  return verified;
}
