// A strict CBOR (RFC 8949) decoder, as ledger/core/attestation/src/cbor.cc (attestation.md §1):
// one item, shortest heads, definite and indefinite lengths, valid UTF-8, no
// duplicate map keys, only false/true/null simple values, depth 16, 4096
// items, 64 KiB. Every defect is MalformedError("malformed_cbor").
import { MalformedError } from "./errors.js";
import { concat, equal, text, toBytes, validUtf8 } from "./util.js";

export const UNSIGNED = 0, NEGATIVE = 1, BYTES = 2, TEXT = 3, ARRAY = 4, MAP = 5, TAG = 6, BOOL = 7, NULL = 8;

export class Item {
  constructor(type, offset) {
    this.type = type;
    this.value = null; // BigInt (UNSIGNED: n, NEGATIVE: n for -1-n, TAG: number), bytes, string, boolean
    this.items = []; // ARRAY elements, TAG content
    this.entries = []; // MAP [key, value] pairs
    this.indefinite = false;
    this.offset = offset;
    this.size = 0;
  }
  raw(data) {
    return data.subarray(this.offset, this.offset + this.size);
  }
  sameValue(o) {
    if (this.type !== o.type) return false;
    if (this.type === ARRAY) return this.items.length === o.items.length && this.items.every((a, i) => a.sameValue(o.items[i]));
    if (this.type === TAG) return this.value === o.value && this.items[0].sameValue(o.items[0]);
    if (this.type === MAP) {
      return this.entries.length === o.entries.length
        && this.entries.every(([k, v]) => o.entries.some(([k2, v2]) => k.sameValue(k2) && v.sameValue(v2)));
    }
    if (this.type === NULL) return true;
    if (this.type === BYTES) return equal(this.value, o.value);
    return this.value === o.value;
  }
  asInt() {
    if (this.type === UNSIGNED && this.value < 1n << 63n) return this.value;
    if (this.type === NEGATIVE && this.value < 1n << 63n) return -1n - this.value;
    return null;
  }
  find(key) {
    for (const [k, v] of this.entries) if (k.type === TEXT && k.value === key) return v;
    return null;
  }
  findInt(key) {
    for (const [k, v] of this.entries) if (k.asInt() === BigInt(key)) return v;
    return null;
  }
}

class Decoder {
  constructor(data, maxDepth, maxItems, maxSize) {
    this.data = data;
    this.pos = 0;
    this.items = 0;
    this.maxDepth = maxDepth;
    this.maxItems = maxItems;
    this.maxSize = maxSize;
  }
  fail(what) {
    return new MalformedError("malformed_cbor", `${what} at offset ${this.pos}`);
  }
  count() {
    if (++this.items > this.maxItems) throw this.fail("more data items than the limit");
  }
  head() {
    if (this.pos >= this.data.length) throw this.fail("unexpected end of input");
    const initial = this.data[this.pos++];
    const major = initial >> 5;
    const ai = initial & 0x1f;
    if (ai < 24) return [major, ai, BigInt(ai), false];
    if (ai === 31) return [major, ai, 0n, true];
    if (ai > 27) throw this.fail("reserved additional information value");
    const n = 1 << (ai - 24);
    if (this.data.length - this.pos < n) throw this.fail("truncated argument");
    let arg = 0n;
    for (let k = 0; k < n; k++) arg = (arg << 8n) | BigInt(this.data[this.pos + k]);
    this.pos += n;
    if (major !== 7) {
      const minimum = n === 1 ? 24n : 1n << BigInt(4 * n);
      if (arg < minimum) throw this.fail("integer or length not in its shortest form");
    }
    return [major, ai, arg, false];
  }
  take(n) {
    if (n > BigInt(this.data.length - this.pos)) throw this.fail("string longer than the remaining input");
    const out = this.data.slice(this.pos, this.pos + Number(n));
    this.pos += Number(n);
    return out;
  }
  string(major, arg, indefinite, item) {
    const chunks = [];
    const add = (chunk) => {
      if (major === 3 && !validUtf8(chunk)) throw this.fail("text string is not valid UTF-8");
      chunks.push(chunk);
    };
    if (!indefinite) {
      add(this.take(arg));
    } else {
      for (;;) {
        if (this.pos >= this.data.length) throw this.fail("unterminated indefinite-length string");
        if (this.data[this.pos] === 0xff) {
          this.pos++;
          break;
        }
        this.count();
        const [cmaj, , carg, cind] = this.head();
        if (cmaj !== major || cind) throw this.fail("indefinite-length string chunk of the wrong type");
        add(this.take(carg));
      }
    }
    const joined = concat(...chunks);
    item.value = major === 3 ? text(joined) : joined;
  }
  atBreak(indefinite, read, count) {
    if (!indefinite) return BigInt(read) === count;
    if (this.pos >= this.data.length) throw this.fail("unterminated indefinite-length container");
    if (this.data[this.pos] !== 0xff) return false;
    this.pos++;
    return true;
  }
  item(depth) {
    if (depth > this.maxDepth) throw this.fail("nesting deeper than the limit");
    this.count();
    const start = this.pos;
    if (this.pos < this.data.length && this.data[this.pos] === 0xff) throw this.fail("unexpected break");
    const [major, ai, arg, indefinite] = this.head();
    if (indefinite && !(major >= 2 && major <= 5)) throw this.fail("indefinite length on a type that has none");
    const item = new Item(null, start);
    item.indefinite = indefinite;
    if (major === 0 || major === 1) {
      item.type = major === 0 ? UNSIGNED : NEGATIVE;
      item.value = arg;
    } else if (major === 2 || major === 3) {
      item.type = major === 2 ? BYTES : TEXT;
      this.string(major, arg, indefinite, item);
    } else if (major === 4) {
      item.type = ARRAY;
      for (let i = 0; !this.atBreak(indefinite, i, arg); i++) item.items.push(this.item(depth + 1));
    } else if (major === 5) {
      item.type = MAP;
      for (let i = 0; !this.atBreak(indefinite, i, arg); i++) {
        const keyOffset = this.pos;
        const key = this.item(depth + 1);
        for (const [k] of item.entries) {
          if (k.sameValue(key)) throw new MalformedError("malformed_cbor", `duplicate map key at offset ${keyOffset}`);
        }
        const value = this.item(depth + 1);
        item.entries.push([key, value]);
      }
    } else if (major === 6) {
      item.type = TAG;
      item.value = arg;
      item.items.push(this.item(depth + 1));
    } else if (ai === 20 || ai === 21) {
      item.type = BOOL;
      item.value = ai === 21;
    } else if (ai === 22) {
      item.type = NULL;
    } else {
      this.pos = start;
      throw this.fail("unsupported simple value or float");
    }
    item.size = this.pos - start;
    return item;
  }
  top() {
    if (this.data.length > this.maxSize) throw this.fail("input larger than the size limit");
    const item = this.item(0);
    if (this.pos !== this.data.length) throw this.fail("trailing bytes after the data item");
    return item;
  }
}

export function decode(data, maxDepth = 16, maxItems = 4096, maxSize = 64 * 1024) {
  return new Decoder(toBytes(data), maxDepth, maxItems, maxSize).top();
}

export function encodeHead(major, arg) {
  if (arg < 24) return Uint8Array.of((major << 5) | arg);
  for (const [ai, n] of [[24, 1], [25, 2], [26, 4], [27, 8]]) {
    if (n === 8 || arg < 2 ** (8 * n)) {
      const out = new Uint8Array(1 + n);
      out[0] = (major << 5) | ai;
      let v = BigInt(arg);
      for (let k = n; k >= 1; k--) {
        out[k] = Number(v & 0xffn);
        v >>= 8n;
      }
      return out;
    }
  }
  throw new RangeError("argument too large");
}
