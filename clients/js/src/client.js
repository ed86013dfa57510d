// A small HTTP client for ledgerd and the explorer that verifies every answer
// before returning it (globalThis.fetch only).
import { MAX_RECEIPT_SIZE, MAX_STATE_ANSWER_SIZE } from "./answers.js";
import { TransportError, VerificationError } from "./errors.js";
import { verifyExplorerEntry, verifyExplorerState } from "./explorer.js";
import { MAX_NOTE_SIZE } from "./note.js";
import { verifyTiles } from "./tiles.js";
import { isPlainObject, toBig } from "./util.js";

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
    const v = await this.verifyStateBody(body, { subject, expectState, minSize, stamper, kind });
    if (at === null && v.checkpoint.size > this.maxSeenSize) this.maxSeenSize = v.checkpoint.size;
    return v;
  }

  verifyStateBody(body, options) {
    return this.verifier.verifyState(body, options);
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

/**
 * The explorer: its head (GET /checkpoint, the root recomputed from its
 * tlog-tiles), GET /v1/entries/{index} with its receipt and the state route,
 * each verified together with the fields the explorer shows beside the proofs.
 */
export class ExplorerClient extends LedgerClient {
  /**
   * GET /checkpoint verified with the pins, and the tiles of its size hashing
   * to its root (root_mismatch). Returns verifyCheckpoint's result with the
   * checkpoint's text (noteText) and the tile paths read (tiles).
   */
  async latest() {
    const body = await get(this.baseUrl, "/checkpoint", MAX_NOTE_SIZE, this.options);
    const vc = await this.verifier.verifyCheckpoint(body);
    const readTile = (level, index, width, path) => get(this.baseUrl, "/" + path, 32 * width, this.options);
    const tiles = await verifyTiles(vc.checkpoint, readTile);
    if (vc.checkpoint.size > this.maxSeenSize) this.maxSeenSize = vc.checkpoint.size;
    return { ...vc, noteText: new TextDecoder().decode(body), tiles };
  }

  async entry(index) {
    const body = await get(this.baseUrl, `/v1/entries/${toBig(index)}`, MAX_RECEIPT_SIZE, this.options);
    const v = await verifyExplorerEntry(this.verifier, body, index);
    if (v.checkpoint.size > this.maxSeenSize) this.maxSeenSize = v.checkpoint.size;
    return v;
  }

  receipt(index) {
    return this.entry(index);
  }

  verifyStateBody(body, options) {
    return verifyExplorerState(this.verifier, body, options);
  }
}
