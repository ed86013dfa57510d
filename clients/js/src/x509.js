// Minimal DER and X.509 reading for the attestation chain.
//
// WebCrypto verifies signatures but has no X.509: it cannot parse a
// certificate, compare names, read extensions or validity times. So this
// module walks the DER by hand, strictly (definite, minimal lengths, nothing
// left over), and reads only what the chain check needs: the signed
// tbsCertificate bytes, the signature algorithm and value, issuer and subject
// (compared as DER bytes), validity, the subjectPublicKeyInfo (imported into
// WebCrypto as "spki"), basicConstraints and keyUsage.
import { equal, validUtf8 } from "./util.js";

export class DerError extends Error {}

/** The DER element at pos: { tag, start (of content), end, headerStart }. Throws DerError. */
export function tlv(data, pos, limit = data.length) {
  if (pos + 2 > limit) throw new DerError("truncated");
  const tag = data[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError("high tag numbers are not used");
  const first = data[pos + 1];
  let p = pos + 2;
  let length;
  if (first < 0x80) {
    length = first;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new DerError("bad length");
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + data[p + k];
    if (data[p] === 0 || length < 0x80) throw new DerError("length not minimal");
    p += n;
  }
  if (p + length > limit) throw new DerError("truncated");
  return { tag, start: p, end: p + length, headerStart: pos };
}

/** The elements of a constructed element's content. */
export function children(data, el) {
  const out = [];
  let pos = el.start;
  while (pos < el.end) {
    const c = tlv(data, pos, el.end);
    out.push(c);
    pos = c.end;
  }
  return out;
}

const raw = (data, el) => data.subarray(el.headerStart, el.end);
const content = (data, el) => data.subarray(el.start, el.end);

function oid(data, el) {
  if (el.tag !== 0x06) throw new DerError("expected an OID");
  const b = content(data, el);
  if (!b.length) throw new DerError("empty OID");
  const parts = [];
  let v = 0n;
  for (const x of b) {
    v = (v << 7n) | BigInt(x & 0x7f);
    if (!(x & 0x80)) {
      parts.push(v);
      v = 0n;
    }
  }
  if (b[b.length - 1] & 0x80) throw new DerError("truncated OID");
  const first = parts[0] < 80n ? parts[0] / 40n : 2n;
  return [first, parts[0] - first * 40n, ...parts.slice(1)].join(".");
}

export const OID = {
  ecPublicKey: "1.2.840.10045.2.1",
  p256: "1.2.840.10045.3.1.7",
  p384: "1.3.132.0.34",
  ecdsaSha256: "1.2.840.10045.4.3.2",
  ecdsaSha384: "1.2.840.10045.4.3.3",
  ecdsaSha512: "1.2.840.10045.4.3.4",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
};

function parseTime(data, el) {
  const s = String.fromCharCode(...content(data, el));
  let m;
  let year;
  if (el.tag === 0x17) {
    m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (!m) throw new DerError("bad UTCTime");
    year = Number(m[1]);
    year += year < 50 ? 2000 : 1900;
  } else if (el.tag === 0x18) {
    m = /^(\d\d\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s);
    if (!m) throw new DerError("bad GeneralizedTime");
    year = Number(m[1]);
  } else {
    throw new DerError("bad time");
  }
  const [mo, d, h, mi, se] = m.slice(2).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) throw new DerError("bad time");
  const t = Date.UTC(year, mo - 1, d, h, mi, se);
  if (new Date(t).getUTCDate() !== d) throw new DerError("bad time");
  return t / 1000;
}

// Every constructed element (SEQUENCE, SET, [n] constructed) holds whole
// elements, down to the leaves: OpenSSL decodes the whole certificate before
// it hands out any field of it.
function wellFormed(data, el, depth = 0) {
  if (depth > 32) throw new DerError("nested too deep");
  if (!(el.tag & 0x20)) return;
  for (const c of children(data, el)) wellFormed(data, c, depth + 1);
}

// Numeric, Printable, T61, Videotex, IA5, UTCTime, GeneralizedTime, Graphic,
// Visible, General, Universal, BMP and UTF8 strings, and SEQUENCE: OpenSSL's
// B_ASN1_PRINTABLE.
const NAME_VALUE_TAGS = new Set([0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1e, 0x0c, 0x30]);

// Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value }
function checkName(data, el) {
  for (const rdn of children(data, el)) {
    if (rdn.tag !== 0x31) throw new DerError("bad name");
    const atvs = children(data, rdn);
    if (!atvs.length) throw new DerError("empty relative distinguished name");
    for (const atv of atvs) {
      const f = atv.tag === 0x30 ? children(data, atv) : [];
      if (f.length !== 2) throw new DerError("bad attribute in a name");
      oid(data, f[0]);
      // OpenSSL reads a name's value as one of the universal string types
      // (or a SEQUENCE), and decodes these strings when it reads the certificate.
      if (!NAME_VALUE_TAGS.has(f[1].tag)) throw new DerError("a name's value is not a string");
      const v = content(data, f[1]);
      if (f[1].tag === 0x0c && !validUtf8(v)) throw new DerError("UTF8String is not UTF-8");
      if (f[1].tag === 0x1e && v.length % 2) throw new DerError("odd BMPString");
      if (f[1].tag === 0x1c && v.length % 4) throw new DerError("bad UniversalString");
    }
  }
}

// AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }
function checkAlgorithm(data, el) {
  const f = el.tag === 0x30 ? children(data, el) : [];
  if (f.length < 1 || f.length > 2) throw new DerError("bad algorithm identifier");
  return oid(data, f[0]);
}

/** The tbsCertificate's fields, each of the type it must have. */
function tbsFields(der, tbs, sigAlg) {
  const fields = children(der, tbs);
  const i = fields[0] && fields[0].tag === 0xa0 ? 1 : 0;
  if (i) {
    const v = children(der, fields[0]);
    if (v.length !== 1 || v[0].tag !== 0x02) throw new DerError("bad version");
  }
  const [serial, sig, issuer, validity, subject, spki] = fields.slice(i, i + 6);
  if (!spki || serial.tag !== 0x02 || issuer.tag !== 0x30 || validity.tag !== 0x30 || subject.tag !== 0x30
      || spki.tag !== 0x30) throw new DerError("bad tbsCertificate");
  if (serial.end === serial.start) throw new DerError("empty serial number");
  checkAlgorithm(der, sig);
  checkAlgorithm(der, sigAlg);
  checkName(der, issuer);
  checkName(der, subject);
  const k = children(der, spki);
  if (k.length !== 2 || k[1].tag !== 0x03) throw new DerError("bad subjectPublicKeyInfo");
  checkAlgorithm(der, k[0]);
  for (const f of fields.slice(i + 6)) {
    if (f.tag !== 0xa1 && f.tag !== 0x81 && f.tag !== 0xa2 && f.tag !== 0x82 && f.tag !== 0xa3) {
      throw new DerError("unknown tbsCertificate field");
    }
  }
  return { fields, i, sig, issuer, validity, subject, spki };
}

function outer(data) {
  const cert = tlv(data, 0);
  if (cert.tag !== 0x30 || cert.end !== data.length) throw new DerError("not a certificate");
  wellFormed(data, cert);
  const parts = children(data, cert);
  if (parts.length !== 3 || parts[0].tag !== 0x30 || parts[1].tag !== 0x30 || parts[2].tag !== 0x03) {
    throw new DerError("not a certificate");
  }
  return parts;
}

/**
 * The SPKI DER and curve of a certificate, read as OpenSSL reads a leaf key:
 * the whole certificate must decode, but its validity time strings are not
 * read. null when it does not decode.
 */
export function certificateSpki(der) {
  try {
    const c = parseCertificate(der, { readTimes: false });
    return { der: c.spki, curve: c.curve };
  } catch (e) {
    if (e instanceof DerError) return null;
    throw e;
  }
}

function spkiCurve(data, el) {
  const [alg] = children(data, el);
  if (!alg || alg.tag !== 0x30) throw new DerError("bad algorithm");
  const a = children(data, alg);
  if (a.length !== 2 || oid(data, a[0]) !== OID.ecPublicKey || a[1].tag !== 0x06) return null;
  return oid(data, a[1]);
}

/**
 * A certificate's fields. Throws DerError when it is not DER X.509. With
 * readTimes false (the leaf key), neither the validity times nor the
 * extensions' values are read.
 */
export function parseCertificate(der, { readTimes = true } = {}) {
  const [tbs, sigAlg, sigValue] = outer(der);
  const { fields, i, sig, issuer, validity, subject, spki } = tbsFields(der, tbs, sigAlg);
  const times = children(der, validity);
  if (times.length !== 2 || times.some((t) => t.tag !== 0x17 && t.tag !== 0x18)) throw new DerError("bad validity");
  const sigAlgFields = children(der, sigAlg);
  if (!sigAlgFields.length) throw new DerError("bad signature algorithm");
  const sigBits = content(der, sigValue);
  if (!sigBits.length || sigBits[0] !== 0) throw new DerError("bad signature bit string");
  const out = {
    tbs: raw(der, tbs),
    algorithmsAgree: equal(raw(der, sig), raw(der, sigAlg)),
    signatureAlgorithm: oid(der, sigAlgFields[0]),
    signature: sigBits.subarray(1),
    issuer: raw(der, issuer),
    subject: raw(der, subject),
    notBefore: readTimes ? parseTime(der, times[0]) : null,
    notAfter: readTimes ? parseTime(der, times[1]) : null,
    spki: raw(der, spki),
    curve: spkiCurve(der, spki),
    basicConstraints: null, // { ca, pathLength (or null) }
    keyUsage: null, // the bit string's bytes, bit 0 = digitalSignature
  };
  for (const f of fields.slice(i + 6)) {
    if (f.tag !== 0xa3) continue;
    const [exts] = children(der, f);
    if (!exts || exts.tag !== 0x30) throw new DerError("bad extensions");
    const seen = new Set();
    for (const ext of children(der, exts)) {
      const e = ext.tag === 0x30 ? children(der, ext) : [];
      if (e.length < 2 || e.length > 3) throw new DerError("bad extension");
      if (e.length === 3 && (e[1].tag !== 0x01 || e[1].end - e[1].start !== 1)) throw new DerError("bad critical flag");
      const id = oid(der, e[0]);
      if (seen.has(id)) throw new DerError("duplicate extension");
      seen.add(id);
      const value = e[e.length - 1];
      // OpenSSL also takes a constructed (BER) OCTET STRING where it does not read the value.
      if (value.tag !== 0x04 && (readTimes || value.tag !== 0x24)) throw new DerError("bad extension value");
      // OpenSSL decodes an extension's value only when it is asked for it:
      // the leaf key is read without them (readTimes false).
      if (!readTimes || (id !== OID.basicConstraints && id !== OID.keyUsage)) continue;
      const inner = tlv(der, value.start, value.end);
      if (inner.end !== value.end) throw new DerError("bad extension value");
      if (id === OID.basicConstraints) {
        if (inner.tag !== 0x30) throw new DerError("bad basicConstraints");
        const bc = { ca: false, pathLength: null };
        for (const c of children(der, inner)) {
          if (c.tag === 0x01) bc.ca = der[c.start] !== 0;
          else if (c.tag === 0x02) {
            let n = 0;
            for (const b of content(der, c)) n = n * 256 + b;
            bc.pathLength = n;
          }
        }
        out.basicConstraints = bc;
      } else if (id === OID.keyUsage) {
        if (inner.tag !== 0x03 || inner.end - inner.start < 1) throw new DerError("bad keyUsage");
        out.keyUsage = der.subarray(inner.start + 1, inner.end);
      }
    }
  }
  return out;
}

/** keyUsage bit n (0 = digitalSignature, 5 = keyCertSign). */
export function keyUsageBit(ku, n) {
  return ((ku[n >> 3] ?? 0) >> (7 - (n % 8))) & 1;
}

export function sameName(a, b) {
  return equal(a, b);
}
