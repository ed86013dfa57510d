// Leaf bytes v1 and the witnesses' time bound, as ledger/core/record/src/leaf.cc and
// witness_time.cc (leaf.md).
import { MalformedError, VerificationError } from "./errors.js";
import { ascii, beBig, beNum, hex, sha256, toBig, toBytes, U64_MAX, utf8 } from "./util.js";

export const MAX_LEAF_SIZE = 65535;
export const MAX_CLOCK_SKEW_SECONDS = 300n;

const bad = (m) => new MalformedError("malformed_leaf", m);

/** Strict inverse of EncodeLeaf: { index, recordedAtUs (BigInt), prevLeafHash, event, stamp (bytes) }. */
export function decodeLeaf(input) {
  const data = toBytes(input);
  if (data.length > MAX_LEAF_SIZE) throw bad(`leaf is ${data.length} bytes, limit 65535`);
  if (data.length < 1) throw bad("truncated");
  if (data[0] !== 0x01) throw bad(`unknown version ${data[0]}`);
  if (data.length < 51) throw bad("truncated");
  const index = beBig(data.subarray(1, 9));
  const recordedAtUs = beBig(data.subarray(9, 17));
  const prevLeafHash = data.slice(17, 49);
  const eventLen = beNum(data.subarray(49, 51));
  if (eventLen === 0) throw bad("the event is empty");
  let pos = 51;
  if (data.length - pos < eventLen) throw bad("truncated");
  const event = data.slice(pos, pos + eventLen);
  pos += eventLen;
  if (data.length - pos < 2) throw bad("truncated");
  const stampLen = beNum(data.subarray(pos, pos + 2));
  pos += 2;
  if (data.length - pos < stampLen) throw bad("truncated");
  const stamp = data.slice(pos, pos + stampLen);
  pos += stampLen;
  if (pos !== data.length) throw bad("trailing bytes");
  return { index, recordedAtUs, prevLeafHash, event, stamp };
}

export function chainGenesis(origin) {
  return sha256(ascii("audit-ledger/chain/v1\n"), utf8(origin), ascii("\n"));
}

/** The K-th latest non-zero cosignature time (K = max(quorum, 1)), or null. */
export function quorumTime(cosignatures, quorum) {
  const k = Math.max(Number(quorum), 1);
  const times = cosignatures.map((c) => toBig(c.timestamp)).filter((t) => t !== 0n).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  if (times.length < k) return null;
  return times[k - 1];
}

/** VerificationError("recorded_after_cosignature") when the leaf is dated more than 300 s after the witnesses' quorum time. */
export function checkRecordedAt(recordedAtUs, cosignatures, quorum) {
  const t = quorumTime(cosignatures, quorum);
  if (t === null) return;
  if (t > U64_MAX / 1000000n - MAX_CLOCK_SKEW_SECONDS) return;
  const latestUs = (t + MAX_CLOCK_SKEW_SECONDS) * 1000000n;
  if (toBig(recordedAtUs) > latestUs) {
    throw new VerificationError("recorded_after_cosignature",
      `recorded_at ${recordedAtUs} us is more than 300 s after the witnesses' quorum time ${t} s`);
  }
}

export { hex };
