// Random mutations of the shared vectors (as clients/python/tests/test_strict.py makes them).
export class Rng {
  // xorshift128+ seeded from a string: the same mutations on every run.
  constructor(seed) {
    let h = 1779033703n;
    for (const c of seed) h = BigInt.asUintN(64, (h ^ BigInt(c.charCodeAt(0))) * 0x100000001b3n);
    this.a = h | 1n;
    this.b = BigInt.asUintN(64, h * 0x9e3779b97f4a7c15n) | 1n;
  }
  next() {
    let s1 = this.a;
    const s0 = this.b;
    this.a = s0;
    s1 = BigInt.asUintN(64, s1 ^ (s1 << 23n));
    this.b = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return Number(BigInt.asUintN(64, this.b + s0) >> 11n) / 2 ** 53;
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  between(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  choice(a) {
    return a[this.int(a.length)];
  }
}

const SPECIAL = [..."\n \r=+/{}[]\",:0-"].map((c) => c.charCodeAt(0));

export function mutateBytes(rng, input) {
  const data = [...input];
  for (let k = rng.between(1, 3); k > 0; k--) {
    const op = rng.int(6);
    if (op === 0 && data.length) {
      data[rng.int(data.length)] ^= 1 << rng.int(8);
    } else if (op === 1) {
      data.splice(rng.int(data.length + 1), 0, rng.int(256));
    } else if (op === 2 && data.length) {
      data.splice(rng.int(data.length), 1);
    } else if (op === 3 && data.length) {
      data.length = rng.int(data.length);
    } else if (op === 4 && data.length) {
      const i = rng.int(data.length);
      const j = Math.min(data.length, i + rng.between(1, 64));
      data.splice(i, 0, ...data.slice(i, j));
    } else {
      data.splice(rng.int(data.length + 1), 0, rng.choice(SPECIAL));
    }
  }
  return Uint8Array.from(data);
}

const JUNK = [null, true, 0, -1, "1180591620717411303424", 1.5, "", "x", "AAAA", [], {}, ["A".repeat(43) + "="], { a: 1 }];

/** Replaces, deletes or adds one member somewhere in a parsed JSON value (returns JSON text). */
export function mutateJson(rng, value) {
  value = structuredClone(value);
  let node = value;
  for (let k = rng.between(0, 3); k > 0; k--) {
    const kids = (Array.isArray(node) ? node : node && typeof node === "object" ? Object.values(node) : [])
      .filter((v) => v && typeof v === "object");
    if (!kids.length) break;
    node = rng.choice(kids);
  }
  const junk = () => structuredClone(rng.choice(JUNK));
  if (Array.isArray(node) && node.length) {
    node[rng.int(node.length)] = junk();
  } else if (node && typeof node === "object" && Object.keys(node).length) {
    const k = rng.choice(Object.keys(node));
    const op = rng.int(3);
    if (op === 0) node[k] = junk();
    else if (op === 1) delete node[k];
    else node["x" + k] = junk();
  }
  // A number larger than 2^64 stays one in the text.
  return JSON.stringify(value).replaceAll('"1180591620717411303424"', "1180591620717411303424");
}

export function mainField(c) {
  return { checkpoint: "note", receipt: "receipt", state: "answer", leaf: "leaf", stamp: "stamp", attestation: "document" }[c.check];
}

export function asBytes(c, field) {
  const v = c[field];
  if (v !== null && typeof v === "object") return new Uint8Array(Buffer.from(v.base64, "base64"));
  if (field === "leaf" || field === "stamp") return new Uint8Array(Buffer.from(v, "hex"));
  if (field === "document") return new Uint8Array(Buffer.from(v, "base64"));
  return new TextEncoder().encode(v);
}

export function putBytes(c, field, data) {
  if (field === "leaf" || field === "stamp") c[field] = Buffer.from(data).toString("hex");
  else if (field === "document") c[field] = Buffer.from(data).toString("base64");
  else {
    try {
      c[field] = new TextDecoder("utf-8", { fatal: true }).decode(data);
    } catch {
      c[field] = { base64: Buffer.from(data).toString("base64") };
    }
  }
}
