// C2SP signed notes (signed-note v1.0.0) and verifier keys, as
// ledger/core/note/src/note.cc. Byte layouts: schemas/formats/checkpoint.md §1-3, stamp.md §5.
import { MalformedError, VerificationError } from "./errors.js";
import { derToRaw, k1Decompress, k1Verify, P256_N, parseDerSignature } from "./ecdsa.js";
import { ascii, b64decode, b64encode, beBig, beNum, concat, equal, hex, sha256, subtle, text, toBytes, utf8, validUtf8 } from "./util.js";

export const MAX_NOTE_SIZE = 1 << 20;
export const MAX_SIGNATURES = 100;
export const ALG_ED25519 = 0x01;
export const ALG_ECDSA = 0x02;
export const ALG_COSIGNATURE_V1 = 0x04;
export const ALG_PRIVATE = 0xff;
const SECP256K1_IDENTIFIER = ascii("audit-ledger/secp256k1");
export const MAX_COSIGNATURE_TIMESTAMP = (1n << 63n) - 1n;
const SIG_PREFIX = Uint8Array.of(0xe2, 0x80, 0x94, 0x20);
const P256_SPKI_PREFIX = Uint8Array.of(
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
  0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00);
const UNICODE_SPACES = new Set([0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]);

const malformed = (m) => new MalformedError("malformed_note", m);

function isSpace(cp) {
  return (cp >= 0x09 && cp <= 0x0d) || cp === 0x20 || UNICODE_SPACES.has(cp) || (cp >= 0x2000 && cp <= 0x200a);
}

/** Non-empty UTF-8 without '+', Unicode white space or control characters. */
export function isValidKeyName(name) {
  const data = typeof name === "string" ? utf8(name) : name;
  if (!data.length || !validUtf8(data)) return false;
  for (const ch of text(data)) {
    const cp = ch.codePointAt(0);
    if (ch === "+" || cp < 0x20 || isSpace(cp)) return false;
  }
  return true;
}

function validCharacters(data) {
  if (!validUtf8(data)) return false;
  for (const c of data) if (c < 0x20 && c !== 0x0a) return false;
  return true;
}

/** A note text: at most 1 MiB, ends in '\n', UTF-8, no control characters but '\n'. */
export function validateText(t) {
  if (t.length > MAX_NOTE_SIZE) throw malformed("note text too large");
  if (!t.length || t[t.length - 1] !== 0x0a) throw malformed("note text does not end in a newline");
  if (!validCharacters(t)) throw malformed("invalid UTF-8 or a control character");
}

/** SHA-256(name || 0x0A || type || public key)[:4] as a u32. */
export async function keyId(name, alg, publicKey) {
  const h = await sha256(typeof name === "string" ? utf8(name) : name, Uint8Array.of(0x0a, alg), publicKey);
  return beNum(h.subarray(0, 4));
}

function lastIndexOfBlankLine(d) {
  for (let i = d.length - 2; i >= 0; i--) if (d[i] === 0x0a && d[i + 1] === 0x0a) return i;
  return -1;
}

function startsWith(d, prefix) {
  if (d.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (d[i] !== prefix[i]) return false;
  return true;
}

/** Strict signed-note parse: { text (bytes), signatures: [{name, keyId, payload}] }. MalformedError("malformed_note"). */
export function parseNote(note) {
  const data = toBytes(note);
  if (data.length > MAX_NOTE_SIZE) throw malformed(`note larger than ${MAX_NOTE_SIZE} bytes`);
  if (!validCharacters(data)) throw malformed("invalid UTF-8 or a control character");
  const split = lastIndexOfBlankLine(data);
  if (split < 0) throw malformed("no blank line before the signatures");
  const body = data.subarray(0, split + 1);
  const sigs = data.subarray(split + 2);
  if (!sigs.length) throw malformed("no signature lines");
  if (sigs[sigs.length - 1] !== 0x0a) throw malformed("note does not end in a newline");
  const out = [];
  let start = 0;
  const inner = sigs.subarray(0, sigs.length - 1);
  for (;;) {
    let nl = inner.indexOf(0x0a, start);
    if (nl < 0) nl = inner.length;
    if (out.length === MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
    out.push(parseSignatureLine(inner.subarray(start, nl)));
    if (nl === inner.length) break;
    start = nl + 1;
  }
  return { text: body, signatures: out };
}

function parseSignatureLine(line) {
  if (!startsWith(line, SIG_PREFIX)) throw malformed("signature line does not start with an em dash and a space");
  line = line.subarray(SIG_PREFIX.length);
  const space = line.indexOf(0x20);
  if (space < 0) throw malformed("signature line has no signature");
  const name = line.subarray(0, space);
  if (!isValidKeyName(name)) throw malformed("invalid key name in signature line");
  const decoded = b64decode(line.subarray(space + 1));
  if (decoded === null) throw malformed("signature is not canonical base64");
  if (decoded.length < 5) throw malformed("signature too short");
  return { name: text(name), keyId: beNum(decoded.subarray(0, 4)), payload: decoded.subarray(4) };
}

export function cosignatureMessage(checkpointText, timestamp) {
  return concat(ascii(`cosignature/v1\ntime ${timestamp}\n`), checkpointText);
}

/**
 * A signed-note verifier key: Ed25519 (0x01), cosignature/v1 (0x04), and for
 * stamps ECDSA P-256 (0x02) and secp256k1 (0xff audit-ledger/secp256k1).
 * Made by parseVerifierKey.
 */
export class VerifierKey {
  constructor(name, alg, publicKey, keyId, material, cryptoKey) {
    this.name = name;
    this.alg = alg;
    this.publicKey = publicKey;
    this.keyId = keyId;
    this.material = material; // type || key as in the vkey
    this._key = cryptoKey;
  }

  vkey() {
    return `${this.name}+${this.keyId.toString(16).padStart(8, "0")}+${b64encode(this.material)}`;
  }

  /** True iff `payload` (the signature bytes after the key ID) verifies over `text`. */
  async verify(msg, payload) {
    try {
      if (this.alg === ALG_ED25519) {
        if (payload.length !== 64) return false;
        return await subtle().verify({ name: "Ed25519" }, this._key, payload, msg);
      }
      if (this.alg === ALG_COSIGNATURE_V1) return (await this.verifyCosignature(msg, payload)) !== null;
      if (this.alg === ALG_ECDSA) {
        if (payload.length > 72) return false;
        const raw = derToRaw(payload, 32);
        if (raw === null) return false;
        return await subtle().verify({ name: "ECDSA", hash: "SHA-256" }, this._key, raw, msg);
      }
      if (this.alg === ALG_PRIVATE) return await k1Verify(this._key, msg, payload);
    } catch {
      return false;
    }
    return false;
  }

  /** The timestamp (BigInt) of a valid cosignature/v1 payload, else null. */
  async verifyCosignature(msg, payload) {
    if (payload.length !== 72) return null;
    const timestamp = beBig(payload.subarray(0, 8));
    if (timestamp > MAX_COSIGNATURE_TIMESTAMP) return null;
    try {
      const ok = await subtle().verify({ name: "Ed25519" }, this._key, payload.subarray(8),
        cosignatureMessage(msg, timestamp));
      return ok ? timestamp : null;
    } catch {
      return null;
    }
  }
}

export function p256LowS(payload) {
  const rs = parseDerSignature(payload);
  if (!rs) return false;
  const s = beBig(rs[1]);
  return s > 0n && s <= P256_N / 2n;
}

const badVkey = (m) => new MalformedError("bad_verifier_key", m);

/** <name>+<8 lowercase hex key ID>+<base64(type || key)>. MalformedError("bad_verifier_key"). */
export async function parseVerifierKey(vkey) {
  if (vkey instanceof VerifierKey) return vkey;
  if (typeof vkey !== "string") throw badVkey("a verifier key is a string");
  const p1 = vkey.indexOf("+");
  const p2 = p1 >= 0 ? vkey.indexOf("+", p1 + 1) : -1;
  if (p2 < 0) throw badVkey("expected <name>+<id>+<key>");
  const name = vkey.slice(0, p1);
  const hexid = vkey.slice(p1 + 1, p2);
  if (!isValidKeyName(name)) throw badVkey("invalid key name");
  if (!/^[0-9a-f]{8}$/.test(hexid)) throw badVkey("key ID must be 8 lowercase hex digits");
  const material = b64decode(vkey.slice(p2 + 1));
  if (!material || !material.length) throw badVkey("key is not canonical base64");
  const want = parseInt(hexid, 16);
  const alg = material[0];
  const raw = material.subarray(1);
  let key;
  let kid;
  if (alg === ALG_ECDSA) {
    if (raw.length !== 91 || !startsWith(raw, P256_SPKI_PREFIX) || raw[26] !== 0x04) {
      throw badVkey("P-256 key must be the 91-byte SubjectPublicKeyInfo");
    }
    try {
      key = await subtle().importKey("raw", raw.slice(26), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    } catch {
      throw badVkey("not a point on P-256");
    }
    kid = beNum((await sha256(raw)).subarray(0, 4));
  } else if (alg === ALG_PRIVATE) {
    if (!startsWith(raw, SECP256K1_IDENTIFIER)) throw badVkey("unsupported signature type 255");
    const point = raw.subarray(SECP256K1_IDENTIFIER.length);
    if (point.length !== 33 || (point[0] !== 2 && point[0] !== 3)) {
      throw badVkey("secp256k1 key must be a 33-byte compressed point");
    }
    key = k1Decompress(point);
    if (key === null) throw badVkey("not a point on secp256k1");
    kid = await keyId(name, alg, raw);
  } else if (alg === ALG_ED25519 || alg === ALG_COSIGNATURE_V1) {
    if (raw.length !== 32) throw badVkey("Ed25519 public key must be 32 bytes");
    try {
      key = await subtle().importKey("raw", raw.slice(), { name: "Ed25519" }, false, ["verify"]);
    } catch {
      throw badVkey("not an Ed25519 public key");
    }
    kid = await keyId(name, alg, raw);
  } else {
    throw badVkey(`unsupported signature type ${alg}`);
  }
  if (kid !== want) throw badVkey("key ID does not match the key");
  return new VerifierKey(name, alg, raw.slice(), kid, material, key);
}

/**
 * signed-note §Signatures: every line of a known (name, key ID) must verify
 * (bad_signature); at least one must (unverified_note). Returns the known keys
 * that signed, in order.
 */
export async function openNote(note, known) {
  validateText(note.text);
  const verified = [];
  for (const sig of note.signatures) {
    for (const v of known) {
      if (v == null || v.name !== sig.name || v.keyId !== sig.keyId) continue;
      if (!(await v.verify(note.text, sig.payload))) {
        throw new VerificationError("bad_signature", `signature by ${sig.name} does not verify`);
      }
      if (!verified.includes(v)) verified.push(v);
    }
  }
  if (!verified.length) throw new VerificationError("unverified_note", "no signature from a known key");
  return verified;
}

export { equal, hex };
