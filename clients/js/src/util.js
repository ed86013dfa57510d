// Strict decoders shared by every format: canonical base64, decimals, UTF-8,
// JSON, and the few byte helpers the rest of the package uses.
import { MalformedError } from "./errors.js";

export const U64_MAX = (1n << 64n) - 1n;

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new MalformedError("no_webcrypto", "globalThis.crypto.subtle is required");
  return s;
}
export { subtle };

export function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equal(a, b) {
  if (a === b) return true;
  if (a == null || b == null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function compare(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export async function sha256(...parts) {
  return new Uint8Array(await subtle().digest("SHA-256", concat(...parts)));
}

export function ascii(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** UTF-8 of a string, lone surrogates kept (as Python's surrogatepass) so that validation refuses them. */
export function utf8(s) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** A string (UTF-8) or bytes (Uint8Array, ArrayBuffer, Buffer) as a Uint8Array. */
export function toBytes(value) {
  if (typeof value === "string") return utf8(value);
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new MalformedError("wrong_type", "expected a string or bytes");
}

const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function validUtf8(data) {
  try {
    fatal.decode(data);
    return true;
  } catch {
    return false;
  }
}

/** UTF-8 bytes to a string (the caller has validated them). */
export function text(data) {
  return fatal.decode(data);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Canonical standard base64 (RFC 4648 §4): exact padding, zero trailing bits. null on any defect. */
export function b64decode(input) {
  const d = typeof input === "string" ? utf8(input) : toBytes(input);
  if (d.length % 4 !== 0) return null;
  let pad = 0;
  if (d.length && d[d.length - 1] === 0x3d) pad++;
  if (d.length > 1 && d[d.length - 2] === 0x3d) pad++;
  const out = new Uint8Array((d.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < d.length; i += 4) {
    const last = i + 4 === d.length;
    const v = [0, 0, 0, 0];
    for (let j = 0; j < 4; j++) {
      const c = d[i + j];
      if (c === 0x3d && last && j >= 4 - pad) {
        v[j] = 0;
        continue;
      }
      const x = B64_INDEX[c];
      if (x < 0) return null;
      v[j] = x;
    }
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    if (last && pad === 2) {
      if (n & 0xffff) return null;
      out[o++] = n >> 16;
    } else if (last && pad === 1) {
      if (n & 0xff) return null;
      out[o++] = n >> 16;
      out[o++] = (n >> 8) & 0xff;
    } else {
      out[o++] = n >> 16;
      out[o++] = (n >> 8) & 0xff;
      out[o++] = n & 0xff;
    }
  }
  return out;
}

export function b64encode(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += B64[n >> 18] + B64[(n >> 12) & 63];
    s += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
    s += i + 2 < bytes.length ? B64[n & 63] : "=";
  }
  return s;
}

export function hex(bytes) {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Hex of any case (as the C++ HexDecode), optionally of `size` bytes. null on defect. */
export function parseHex(s, size = undefined) {
  if (typeof s !== "string" || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  if (size !== undefined && out.length !== size) return null;
  return out;
}

/** ASCII digits, no sign, no leading zero ("0" is fine), at most 2^64-1, as a BigInt. null otherwise. */
export function parseDecimalU64(input) {
  const d = typeof input === "string" ? utf8(input) : input;
  if (!d.length || d.length > 20) return null;
  if (d.length > 1 && d[0] === 0x30) return null;
  for (const c of d) if (c < 0x30 || c > 0x39) return null;
  const v = BigInt(text(d));
  return v <= U64_MAX ? v : null;
}

/** Big-endian unsigned integer of the bytes, as a BigInt. */
export function beBig(bytes) {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Big-endian unsigned integer of at most 6 bytes, as a Number. */
export function beNum(bytes) {
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

export function bigToBytes(v, n) {
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A JSON count: a BigInt or a safe non-negative integer Number within u64. */
export function isU64(v) {
  if (typeof v === "bigint") return v >= 0n && v <= U64_MAX;
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

export function toBig(v) {
  return typeof v === "bigint" ? v : BigInt(v);
}

export function isPlainObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array)
    && !(v instanceof ArrayBuffer);
}

export function has(o, k) {
  return Object.prototype.hasOwnProperty.call(o, k);
}

// A negative JSON integer: never a valid count (nlohmann's number_integer).
export class JsonNegative {
  constructor(t) {
    this.text = t;
  }
}

// A JSON number with a fraction or exponent (nlohmann's number_float): never a
// count, even when its value is whole ("5.0"), unlike a Number of JSON.parse.
export class JsonFloat {
  constructor(t) {
    this.text = t;
    this.value = Number(t);
  }
}

const ESCAPES = { 0x22: 0x22, 0x5c: 0x5c, 0x2f: 0x2f, 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09 };
const NUMBER = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/;

// RFC 8259 JSON, read front to back as nlohmann's SAX parser reads it, so that
// the first defect is the one reported: a duplicate key (duplicate_key) as
// soon as it is read (JSON.parse silently keeps the last one), nesting deeper
// than maxDepth, invalid UTF-8, lone surrogates, control characters, trailing
// bytes (malformed_json). Integers are BigInts (negative ones JsonNegative), other numbers
// JsonFloat; objects have no prototype.
class JsonParser {
  constructor(data, maxDepth) {
    this.d = data;
    this.i = 0;
    this.depth = 0;
    this.maxDepth = maxDepth;
  }
  fail(message) {
    throw new MalformedError("malformed_json", `${message} at byte ${this.i}`);
  }
  ws() {
    const d = this.d;
    while (this.i < d.length && (d[this.i] === 0x20 || d[this.i] === 0x09 || d[this.i] === 0x0a || d[this.i] === 0x0d)) this.i++;
  }
  parse() {
    const v = this.value();
    this.ws();
    if (this.i !== this.d.length) this.fail("trailing bytes after the value");
    return v;
  }
  startsWith(lit) {
    for (let k = 0; k < lit.length; k++) if (this.d[this.i + k] !== lit.charCodeAt(k)) return false;
    return true;
  }
  value() {
    this.ws();
    if (this.i >= this.d.length) this.fail("unexpected end of input");
    const c = this.d[this.i];
    if (c === 0x7b) return this.obj();
    if (c === 0x5b) return this.arr();
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [lit, val] of [["true", true], ["false", false], ["null", null]]) {
      if (this.startsWith(lit)) {
        this.i += lit.length;
        return val;
      }
    }
    this.fail("unexpected character");
  }
  enter() {
    this.depth++;
    if (this.depth > this.maxDepth) throw new MalformedError("malformed_json", `nested deeper than ${this.maxDepth}`);
  }
  expect(byte, what) {
    this.ws();
    if (this.i >= this.d.length || this.d[this.i] !== byte) this.fail("expected " + what);
    this.i++;
  }
  obj() {
    this.i++;
    this.enter();
    const out = Object.create(null);
    this.ws();
    if (this.d[this.i] === 0x7d) {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.d[this.i] !== 0x22) this.fail("expected a key");
      const k = this.string();
      if (has(out, k)) throw new MalformedError("duplicate_key", `key "${k.slice(0, 64)}" appears twice`);
      this.expect(0x3a, "':'");
      out[k] = this.value();
      this.ws();
      const c = this.d[this.i];
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x7d) {
        this.i++;
        this.depth--;
        return out;
      }
      this.fail("expected ',' or '}'");
    }
  }
  arr() {
    this.i++;
    this.enter();
    const out = [];
    this.ws();
    if (this.d[this.i] === 0x5d) {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.d[this.i];
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c === 0x5d) {
        this.i++;
        this.depth--;
        return out;
      }
      this.fail("expected ',' or ']'");
    }
  }
  hex4() {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.d[this.i + k];
      const x = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (c === undefined || x < 0) this.fail("bad \\u escape");
      v = v * 16 + x;
    }
    this.i += 4;
    return v;
  }
  string() {
    const d = this.d;
    this.i++;
    let out = "";
    for (;;) {
      if (this.i >= d.length) this.fail("unterminated string");
      const c = d[this.i];
      if (c === 0x22) {
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail("control character in a string");
      if (c !== 0x5c) {
        let j = this.i;
        while (j < d.length && d[j] !== 0x22 && d[j] !== 0x5c && d[j] >= 0x20) j++;
        const chunk = d.subarray(this.i, j);
        try {
          out += fatal.decode(chunk);
        } catch {
          this.fail("invalid UTF-8");
        }
        this.i = j;
        continue;
      }
      this.i++;
      if (this.i >= d.length) this.fail("unterminated escape");
      const e = d[this.i++];
      if (ESCAPES[e] !== undefined) {
        out += String.fromCharCode(ESCAPES[e]);
        continue;
      }
      if (e !== 0x75) this.fail("bad escape");
      let cp = this.hex4();
      if (cp >= 0xdc00 && cp <= 0xdfff) this.fail("lone low surrogate");
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (d[this.i] !== 0x5c || d[this.i + 1] !== 0x75) this.fail("lone high surrogate");
        this.i += 2;
        const lo = this.hex4();
        if (!(lo >= 0xdc00 && lo <= 0xdfff)) this.fail("lone high surrogate");
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      }
      out += String.fromCodePoint(cp);
    }
  }
  number() {
    let j = this.i;
    while (j < this.d.length && j - this.i < 400 && /[-+.eE0-9]/.test(String.fromCharCode(this.d[j]))) j++;
    const s = String.fromCharCode(...this.d.subarray(this.i, j));
    const m = NUMBER.exec(s);
    if (!m) this.fail("bad number");
    this.i += m[0].length;
    if (m[1] || m[2]) return new JsonFloat(m[0]);
    if (m[0].startsWith("-")) return new JsonNegative(m[0]);
    return BigInt(m[0]);
  }
}

/** JSON as ledger::codec::ParseJsonStrict reads it. Reasons json_too_large, duplicate_key, malformed_json. */
export function parseJsonStrict(input, maxSize, maxDepth = 16) {
  const data = toBytes(input);
  if (data.length > maxSize) throw new MalformedError("json_too_large", `JSON is ${data.length} bytes, limit ${maxSize}`);
  return new JsonParser(data, maxDepth).parse();
}
