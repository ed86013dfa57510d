// A small HTTP client for ledgerd and the explorer that verifies every answer
// before returning it (globalThis.fetch only).
import { MAX_RECEIPT_SIZE, MAX_STATE_ANSWER_SIZE } from "./answers.js";
import { TransportError, VerificationError } from "./errors.js";
import { b64decode, equal, isPlainObject, parseJsonStrict, toBig } from "./util.js";

async function get(base, path, limit, { headers = {}, timeoutMs = 10000 } = {}) {
  let resp;
  try {
    resp = await fetch(base + path, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new TransportError("unavailable", `GET ${path}: ${e.message}`);
  }
  const body = new Uint8Array(await resp.arrayBuffer());
  if (!resp.ok) {
    let reason = "http_error";
    try {
      const err = JSON.parse(new TextDecoder().decode(body.subarray(0, 65536)));
      reason = (isPlainObject(err.error) ? err.error.reason : err.reason) || reason;
    } catch {
      // not JSON: the status says enough
    }
    throw new TransportError(String(reason), `GET ${path}: HTTP ${resp.status}`);
  }
  if (body.length > limit) throw new TransportError("answer_too_large", `GET ${path}: more than ${limit} bytes`);
  return body;
}

const subjectPath = (subject) => subject.split("/").map(encodeURIComponent).join("/");

/**
 * ledgerd (and the explorer's state route): every answer is verified with the
 * pins of `verifier` (a LedgerVerifier) before it is returned; a failed check
 * throws the verifier's error.
 */
export class LedgerClient {
  constructor(baseUrl, verifier, { headers = {}, timeoutMs = 10000 } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.verifier = verifier;
    this.options = { headers, timeoutMs };
    this.maxSeenSize = 0n;
  }

  /** GET /v1/state/{subject}: the verified latest state. minSize defaults to the largest tree size this client has verified. */
  async state(subject, { expectState = null, at = null, minSize = null, stamper = null, kind = null } = {}) {
    let path = "/v1/state/" + subjectPath(subject);
    if (at !== null) path += `?at=${toBig(at)}`;
    const body = await get(this.baseUrl, path, MAX_STATE_ANSWER_SIZE, this.options);
    if (minSize === null) minSize = at !== null ? 0n : this.maxSeenSize;
    const v = await this.verifier.verifyState(body, { subject, expectState, minSize, stamper, kind });
    if (at === null && v.checkpoint.size > this.maxSeenSize) this.maxSeenSize = v.checkpoint.size;
    return v;
  }

  /** GET /v1/entries/{index}/receipt: the verified receipt of entry `index`. */
  async receipt(index) {
    const body = await get(this.baseUrl, `/v1/entries/${toBig(index)}/receipt`, MAX_RECEIPT_SIZE, this.options);
    const v = await this.verifier.verifyReceipt(body);
    if (v.index !== toBig(index)) throw new VerificationError("index_mismatch", `asked for entry ${index}, got ${v.index}`);
    if (v.checkpoint.size > this.maxSeenSize) this.maxSeenSize = v.checkpoint.size;
    return v;
  }
}

/** The explorer: GET /v1/entries/{index} (with its receipt) and the state route, each verified. */
export class ExplorerClient extends LedgerClient {
  async entry(index) {
    const body = await get(this.baseUrl, `/v1/entries/${toBig(index)}`, MAX_RECEIPT_SIZE, this.options);
    const j = parseJsonStrict(body, MAX_RECEIPT_SIZE, 32);
    if (!isPlainObject(j) || !isPlainObject(j.receipt)) throw new VerificationError("receipt_missing", "the explorer's entry carries no receipt");
    const v = await this.verifier.verifyReceipt(j.receipt);
    if (v.index !== toBig(index)) throw new VerificationError("index_mismatch", `asked for entry ${index}, got ${v.index}`);
    const shown = j.event_bytes;
    if (v.leaf !== null && shown !== undefined && shown !== null && !equal(typeof shown === "string" ? b64decode(shown) : null, v.leaf.event)) {
      throw new VerificationError("entry_mismatch", "the explorer shows other event bytes than the receipt's leaf");
    }
    if (v.checkpoint.size > this.maxSeenSize) this.maxSeenSize = v.checkpoint.size;
    return v;
  }

  receipt(index) {
    return this.entry(index);
  }
}
