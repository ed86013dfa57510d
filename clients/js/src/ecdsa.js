// ECDSA helpers WebCrypto does not provide.
//
// WebCrypto verifies ECDSA signatures only in the fixed-size r || s form
// (IEEE P1363) and has no parser for the DER SEQUENCE { r, s } that stamps and
// X.509 certificates carry, so DER signatures are converted here by hand,
// strictly (the one DER encoding of the pair, as the C++ code re-encodes and
// compares). WebCrypto has no secp256k1 either: its stamps are verified here
// with BigInt arithmetic (public data only, so no constant-time concerns).
import { beBig, bigToBytes, sha256 } from "./util.js";

export const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
export const K1_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
export const K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const K1_G = [
  0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
  0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
];

/** DER ECDSA-Sig-Value -> [r, s] as unsigned big-endian bytes without leading zeros; null unless canonical DER. */
export function parseDerSignature(der) {
  if (der.length < 8 || der[0] !== 0x30) return null;
  let pos = 2;
  let len = der[1];
  if (len === 0x81) {
    if (der.length < 3 || der[2] < 0x80) return null;
    len = der[2];
    pos = 3;
  } else if (len > 0x7f) return null;
  if (pos + len !== der.length) return null;
  const ints = [];
  for (let k = 0; k < 2; k++) {
    if (pos + 2 > der.length || der[pos] !== 0x02) return null;
    const n = der[pos + 1];
    if (n === 0 || n > 0x7f || pos + 2 + n > der.length) return null;
    const v = der.subarray(pos + 2, pos + 2 + n);
    if (v[0] & 0x80) return null; // negative
    if (n > 1 && v[0] === 0 && !(v[1] & 0x80)) return null; // not minimal
    ints.push(v[0] === 0 && n > 1 ? v.subarray(1) : v);
    pos += 2 + n;
  }
  if (pos !== der.length) return null;
  return ints;
}

/** DER signature -> r || s of `size`-byte halves, or null (does not parse, or a value too large). */
export function derToRaw(der, size) {
  const rs = parseDerSignature(der);
  if (!rs) return null;
  const out = new Uint8Array(2 * size);
  for (let k = 0; k < 2; k++) {
    let v = rs[k];
    if (v.length === 1 && v[0] === 0) v = v.subarray(1);
    if (v.length > size) return null;
    out.set(v, (k + 1) * size - v.length);
  }
  return out;
}

function mod(a, m) {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function inv(a, m) {
  let [x0, x1, r0, r1] = [0n, 1n, m, mod(a, m)];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [x0, x1] = [x1, x0 - q * x1];
    [r0, r1] = [r1, r0 - q * r1];
  }
  return mod(x0, m);
}

function powmod(b, e, m) {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

// Points are [x, y] or null (infinity), affine, on y^2 = x^3 + 7.
function add(P, Q) {
  if (P === null) return Q;
  if (Q === null) return P;
  const p = K1_P;
  let l;
  if (P[0] === Q[0]) {
    if (mod(P[1] + Q[1], p) === 0n) return null;
    l = mod(3n * P[0] * P[0] * inv(2n * P[1], p), p);
  } else {
    l = mod((Q[1] - P[1]) * inv(Q[0] - P[0], p), p);
  }
  const x = mod(l * l - P[0] - Q[0], p);
  return [x, mod(l * (P[0] - x) - P[1], p)];
}

function mul(k, P) {
  let R = null;
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    R = add(R, R);
    if ((k >> i) & 1n) R = add(R, P);
  }
  return R;
}

/** A 33-byte compressed secp256k1 point -> [x, y], or null when it is not on the curve. */
export function k1Decompress(point) {
  if (point.length !== 33 || (point[0] !== 2 && point[0] !== 3)) return null;
  const x = beBig(point.subarray(1));
  if (x >= K1_P) return null;
  const rhs = mod(x * x * x + 7n, K1_P);
  let y = powmod(rhs, (K1_P + 1n) / 4n, K1_P);
  if ((y * y) % K1_P !== rhs) return null;
  if (Number(y & 1n) !== (point[0] & 1)) y = K1_P - y;
  return [x, y];
}

/** ECDSA secp256k1 / SHA-256 over `message`, signature r || s (32 + 32), low s required. */
export async function k1Verify(Q, message, sig) {
  if (sig.length !== 64) return false;
  const r = beBig(sig.subarray(0, 32));
  const s = beBig(sig.subarray(32));
  if (!(r >= 1n && r < K1_N && s >= 1n && s <= K1_N / 2n)) return false;
  const e = mod(beBig(await sha256(message)), K1_N);
  const w = inv(s, K1_N);
  const R = add(mul(mod(e * w, K1_N), K1_G), mul(mod(r * w, K1_N), Q));
  if (R === null) return false;
  return mod(R[0], K1_N) === r;
}

export { bigToBytes };
