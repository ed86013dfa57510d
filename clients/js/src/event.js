// Canonical event bytes v1, as ledger/core/record/src/event.cc (event.md §3-5).
import { MalformedError } from "./errors.js";
import { beBig, beNum, compare, text, toBytes, validUtf8 } from "./util.js";

export const KIND_NAMES = [
  "", "KEY_CREATED", "KEY_IMPORTED", "KEY_ROTATED", "KEY_EXPORTED", "KEY_RETIRED",
  "POLICY_CHANGED", "SIGNATURE_PRODUCED", "SIGNATURE_REJECTED", "STATE_NOTARIZED",
  "ENCLAVE_BOOTED", "ANCHOR_CONFIRMED", "RETENTION_SET", "LEGAL_HOLD_PLACED",
  "LEGAL_HOLD_RELEASED", "RECORD_DISPOSED", "EXPORT_CREATED", "VERIFICATION_RUN",
];
export const OUTCOME_NAMES = ["", "SUCCESS", "DENIED", "ERROR"];
const MAX_EVENT_SIZE = 60000;
const MAX_STRING = 4096;
const MAX_ATTRIBUTES = 64;
const MAX_OCCURRED_AT_US = 253402300799999999n;

const STRING_TAGS = {
  0x02: "eventId", 0x03: "requestId", 0x04: "correlationId", 0x05: "action",
  0x07: "actorType", 0x08: "actorId", 0x09: "actorAuthMethod",
  0x0a: "actorOnBehalfOf", 0x0b: "source", 0x0c: "subject", 0x0d: "targetType",
  0x0e: "targetVersion", 0x10: "outcomeReason", 0x13: "retentionClass",
};
const HASH_TAGS = { 0x11: "priorStateHash", 0x12: "newStateHash", 0x14: "payloadDigest" };
const ATTRIBUTE = 0x30;

/**
 * A decoded event. String fields are strings ("" when absent); hashes are
 * 32-byte values or null; attributes a list of [key, value] in key order.
 */
export class Event {
  constructor() {
    this.kind = 0;
    this.occurredAtUs = 0n;
    this.outcome = 0;
    for (const n of Object.values(STRING_TAGS)) this[n] = "";
    for (const n of Object.values(HASH_TAGS)) this[n] = null;
    this.attributes = [];
  }
  get kindName() {
    return this.kind > 0 && this.kind < KIND_NAMES.length ? KIND_NAMES[this.kind] : "";
  }
  attribute(key) {
    for (const [k, v] of this.attributes) if (k === key) return v;
    return null;
  }
}

const bad = (m) => new MalformedError("malformed_event", m);
const tagHex = (t) => "0x" + t.toString(16).padStart(2, "0");

function checkString(value, name) {
  if (value.length > MAX_STRING) throw bad(`field_too_long: ${name} is longer than 4096 bytes`);
  if (!validUtf8(value)) throw bad(`invalid_utf8: ${name} is not UTF-8`);
  if (value.includes(0)) throw bad(`nul_in_string: ${name} contains a NUL character`);
}

/** Strict inverse of EncodeEvent. MalformedError("malformed_event"). */
export function decodeEvent(input) {
  const data = toBytes(input);
  if (data.length > MAX_EVENT_SIZE) throw bad("event larger than 60000 bytes");
  if (!data.length) throw bad("truncated");
  if (data[0] !== 0x01) throw bad(`unknown version ${data[0]}`);
  const e = new Event();
  const raw = new Map();
  const have = new Set();
  const attrs = [];
  let lastTag = 0;
  let pos = 1;
  let prevKey = null;
  while (pos < data.length) {
    if (data.length - pos < 3) throw bad("truncated");
    const tag = data[pos];
    const length = beNum(data.subarray(pos + 1, pos + 3));
    pos += 3;
    if (data.length - pos < length) throw bad("truncated");
    const value = data.subarray(pos, pos + length);
    pos += length;
    if (tag < lastTag || (tag === lastTag && tag !== ATTRIBUTE)) throw bad(`field ${tagHex(tag)} out of order or repeated`);
    lastTag = tag;
    if (length === 0) throw bad(`field ${tagHex(tag)} is empty`);
    if (STRING_TAGS[tag] !== undefined) {
      raw.set(STRING_TAGS[tag], value);
    } else if (tag === 0x01) {
      if (length !== 2) throw bad("kind must be 2 bytes");
      e.kind = beNum(value);
      have.add("kind");
    } else if (tag === 0x06) {
      if (length !== 8) throw bad("occurred_at_us must be 8 bytes");
      e.occurredAtUs = beBig(value);
      have.add("time");
    } else if (tag === 0x0f) {
      if (length !== 1) throw bad("outcome must be 1 byte");
      e.outcome = value[0];
      have.add("outcome");
    } else if (HASH_TAGS[tag] !== undefined) {
      if (length !== 32) throw bad(`field ${tagHex(tag)}: a hash must be 32 bytes`);
      e[HASH_TAGS[tag]] = value.slice();
    } else if (tag === ATTRIBUTE) {
      if (length < 2) throw bad("truncated");
      const keyLen = beNum(value.subarray(0, 2));
      if (value.length - 2 < keyLen) throw bad("truncated");
      const key = value.subarray(2, 2 + keyLen);
      if (prevKey !== null && !(compare(prevKey, key) < 0)) throw bad("attribute keys not strictly increasing");
      prevKey = key;
      attrs.push([key, value.subarray(2 + keyLen)]);
    } else {
      throw bad(`unknown field ${tagHex(tag)}`);
    }
  }
  if (have.size !== 3) throw bad("kind, occurred_at_us and outcome are required");
  if (!(e.kind > 0 && e.kind < KIND_NAMES.length)) throw bad(`unknown_event_kind: event kind ${e.kind}`);
  if (!(e.outcome > 0 && e.outcome < OUTCOME_NAMES.length)) throw bad(`unknown_outcome: outcome ${e.outcome}`);
  for (const [name, wire] of [["eventId", "event_id"], ["actorId", "actor_id"], ["subject", "subject"]]) {
    if (!raw.has(name)) throw bad(`missing_field: ${wire} is required`);
  }
  if (e.occurredAtUs > MAX_OCCURRED_AT_US) throw bad("timestamp_out_of_range: occurred_at_us is after year 9999");
  for (const [name, value] of raw) checkString(value, name);
  if (attrs.length > MAX_ATTRIBUTES) throw bad("too_many_attributes: more than 64 attributes");
  for (const [k, v] of attrs) {
    if (!k.length) throw bad("empty_attribute_key: attribute key is empty");
    checkString(k, "attribute key");
    checkString(v, "attribute value");
    e.attributes.push([text(k), text(v)]);
  }
  for (const [name, value] of raw) e[name] = text(value);
  return e;
}
