// Nitro-format attestation documents: COSE_Sign1/ES384 over a CBOR map, the
// certificate chain to a pinned root, and the PCR/user-data policy, as
// ledger/core/attestation/src/attestation.cc, cose.cc and attestation_verify.cc
// (attestation.md). Reasons: malformed_cbor, malformed_cose,
// unsupported_cose_algorithm, malformed_attestation, bad_root, untrusted_root,
// bad_cose_signature, chain_invalid, certificate_expired,
// certificate_not_yet_valid, pcr_mismatch, user_data_mismatch, nonce_mismatch.
import * as cbor from "./cbor.js";
import { derToRaw } from "./ecdsa.js";
import { MalformedError, VerificationError } from "./errors.js";
import { ascii, b64decode, concat, equal, subtle, toBytes } from "./util.js";
import { certificateSpki, DerError, keyUsageBit, OID, parseCertificate, sameName } from "./x509.js";

const MAX_PCRS = 32;
const MAX_CERT_SIZE = 1024;
const MAX_PUBLIC_KEY_SIZE = 1024;
const MAX_USER_DATA_SIZE = 512;

const cose = (m) => new MalformedError("malformed_cose", m);

function bstr(item, name) {
  if (item.type !== cbor.BYTES || item.indefinite) throw cose(`${name} must be a definite-length byte string`);
}

/** COSE_Sign1 (tagged 18 or not), ES384: { toBeSigned, payload, signature (r || s, 96 bytes) }. */
export function parseSign1(input) {
  const data = toBytes(input);
  const top = cbor.decode(data);
  let array = top;
  if (top.type === cbor.TAG) {
    if (top.value !== 18n) throw cose("tag is not COSE_Sign1 (18)");
    array = top.items[0];
  }
  if (array.type !== cbor.ARRAY || array.items.length !== 4) throw cose("COSE_Sign1 must be an array of 4 items");
  const [prot, unprot, payload, sig] = array.items;
  bstr(prot, "protected header");
  if (unprot.type !== cbor.MAP) throw cose("unprotected header must be a map");
  bstr(payload, "payload");
  bstr(sig, "signature");
  if (sig.value.length !== 96) throw cose("ES384 signature must be 96 bytes (r || s)");
  if (!prot.value.length) throw new MalformedError("unsupported_cose_algorithm", "no alg");
  const header = cbor.decode(prot.value);
  if (header.type !== cbor.MAP) throw cose("protected header is not a map");
  if (header.findInt(2) !== null || unprot.findInt(2) !== null) throw cose("critical header parameters are not supported");
  for (const [label] of unprot.entries) {
    for (const [plabel] of header.entries) if (label.sameValue(plabel)) throw cose("header label in both buckets");
  }
  const alg = header.findInt(1);
  if (alg === null || alg.asInt() !== -35n) {
    throw new MalformedError("unsupported_cose_algorithm", "protected header alg must be ES384 (-35)");
  }
  const tbs = concat(cbor.encodeHead(4, 4), cbor.encodeHead(3, 10), ascii("Signature1"), prot.raw(data),
    cbor.encodeHead(2, 0), payload.raw(data));
  return { toBeSigned: tbs, payload: payload.value, signature: sig.value };
}

const bad = (m) => new MalformedError("malformed_attestation", m);

function bytesField(v, name, lo, hi, nullable) {
  if (nullable && v.type === cbor.NULL) return new Uint8Array(0);
  if (v.type !== cbor.BYTES) throw bad(`${name} must be a byte string`);
  if (v.value.length < lo || v.value.length > hi) throw bad(`${name} has ${v.value.length} bytes, outside ${lo}..${hi}`);
  return v.value;
}

/** The attestation document's fields: moduleId, digest, timestampMs (BigInt), pcrs (Map), certificate, cabundle, publicKey, userData, nonce. */
export function parseAttestationPayload(payload) {
  const m = cbor.decode(payload);
  if (m.type !== cbor.MAP) throw bad("payload is not a map");
  const doc = {
    moduleId: "", digest: "", timestampMs: 0n, pcrs: new Map(), certificate: new Uint8Array(0), cabundle: [],
    publicKey: new Uint8Array(0), userData: new Uint8Array(0), nonce: new Uint8Array(0),
  };
  for (const [key, v] of m.entries) {
    if (key.type !== cbor.TEXT) throw bad("payload keys must be text");
    const name = key.value;
    if (name === "module_id") {
      if (v.type !== cbor.TEXT || !v.value) throw bad("module_id must be non-empty text");
      doc.moduleId = v.value;
    } else if (name === "digest") {
      if (v.type !== cbor.TEXT || v.value !== "SHA384") throw bad('digest must be "SHA384"');
      doc.digest = v.value;
    } else if (name === "timestamp") {
      if (v.type !== cbor.UNSIGNED || v.value === 0n) throw bad("timestamp must be a uint > 0");
      doc.timestampMs = v.value;
    } else if (name === "pcrs") {
      if (v.type !== cbor.MAP) throw bad("pcrs must be a map");
      if (v.entries.length < 1 || v.entries.length > MAX_PCRS) throw bad("pcrs must have 1..32 entries");
      for (const [k, pv] of v.entries) {
        if (k.type !== cbor.UNSIGNED || k.value >= BigInt(MAX_PCRS)) throw bad("pcr index must be an integer in 0..31");
        if (pv.type !== cbor.BYTES || ![32, 48, 64].includes(pv.value.length)) throw bad("pcr value must be 32, 48 or 64 bytes");
        doc.pcrs.set(Number(k.value), pv.value);
      }
    } else if (name === "certificate") {
      doc.certificate = bytesField(v, name, 1, MAX_CERT_SIZE, false);
    } else if (name === "cabundle") {
      if (v.type !== cbor.ARRAY || !v.items.length) throw bad("cabundle must be a non-empty array");
      doc.cabundle = v.items.map((c) => bytesField(c, "cabundle entry", 1, MAX_CERT_SIZE, false));
    } else if (name === "public_key") {
      doc.publicKey = bytesField(v, name, 1, MAX_PUBLIC_KEY_SIZE, true);
    } else if (name === "user_data") {
      doc.userData = bytesField(v, name, 0, MAX_USER_DATA_SIZE, true);
    } else if (name === "nonce") {
      doc.nonce = bytesField(v, name, 0, MAX_USER_DATA_SIZE, true);
    } else {
      throw bad("unknown field " + name);
    }
  }
  for (const name of ["module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle"]) {
    if (m.find(name) === null) throw bad("missing field " + name);
  }
  return doc;
}

export function parseAttestation(data) {
  return parseAttestationPayload(parseSign1(data).payload);
}

const chainInvalid = (m) => new VerificationError("chain_invalid", m);

function load(der, what) {
  try {
    return parseCertificate(der);
  } catch (e) {
    if (e instanceof DerError) throw chainInvalid(`${what} is not DER X.509`);
    throw e;
  }
}

const HASHES = { [OID.ecdsaSha256]: "SHA-256", [OID.ecdsaSha384]: "SHA-384", [OID.ecdsaSha512]: "SHA-512" };
const CURVES = { [OID.p256]: ["P-256", 32], [OID.p384]: ["P-384", 48] };

async function importEcKey(spki, curve) {
  const c = CURVES[curve];
  if (!c) return null;
  try {
    return await subtle().importKey("spki", spki.slice(), { name: "ECDSA", namedCurve: c[0] }, false, ["verify"]);
  } catch {
    return null;
  }
}

/** cert's signature verifies with issuer's key, and names it as issuer. */
async function issuedBy(cert, issuer) {
  if (!sameName(cert.issuer, issuer.subject) || !cert.algorithmsAgree) return false;
  const hash = HASHES[cert.signatureAlgorithm];
  const key = await importEcKey(issuer.spki, issuer.curve);
  if (!hash || !key) return false;
  const rawSig = derToRaw(cert.signature, CURVES[issuer.curve][1]);
  if (!rawSig) return false;
  try {
    return await subtle().verify({ name: "ECDSA", hash }, key, rawSig, cert.tbs);
  } catch {
    return false;
  }
}

async function verifyChain(doc, root, at) {
  const leaf = load(doc.certificate, "certificate");
  const bundle = doc.cabundle.slice(1).map((der, i) => load(der, `cabundle[${i + 1}]`));
  // leaf, cabundle[n], ..., cabundle[1], root
  const path = [leaf, ...bundle.reverse(), root];
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i];
    const issuer = path[i + 1];
    if (!sameName(cert.issuer, issuer.subject)) throw chainInvalid("unable to get local issuer certificate");
    const bc = issuer.basicConstraints;
    if (bc === null || !bc.ca) throw chainInvalid("invalid CA certificate");
    if (issuer.keyUsage !== null && !keyUsageBit(issuer.keyUsage, 5)) {
      throw chainInvalid("key usage does not include certificate signing");
    }
    if (bc.pathLength !== null && i > bc.pathLength) throw chainInvalid("path length constraint exceeded");
  }
  // Signatures and validity from the root down, as OpenSSL's internal_verify.
  for (let i = path.length - 1; i >= 0; i--) {
    const cert = path[i];
    const issuer = i + 1 < path.length ? path[i + 1] : root;
    if (!(await issuedBy(cert, issuer))) throw chainInvalid("certificate signature failure");
    if (cert.notBefore > at) throw new VerificationError("certificate_not_yet_valid", "certificate is not yet valid");
    if (cert.notAfter <= at) throw new VerificationError("certificate_expired", "certificate has expired");
  }
  for (const cert of path) {
    if (cert.signatureAlgorithm !== OID.ecdsaSha384 || cert.curve !== OID.p384) {
      throw chainInvalid("certificate is not ECDSA P-384/SHA-384");
    }
  }
  if (leaf.keyUsage !== null && !keyUsageBit(leaf.keyUsage, 0)) throw chainInvalid("leaf certificate lacks digitalSignature");
}

/** A pinned root given as DER bytes or PEM (string or bytes) -> DER. */
export function rootDerOf(root) {
  if (typeof root === "string" || (root instanceof Uint8Array && /^\s*-----BEGIN/.test(String.fromCharCode(...root.subarray(0, 64))))) {
    const s = typeof root === "string" ? root : String.fromCharCode(...root);
    if (!/^\s*-----BEGIN/.test(s)) throw new MalformedError("bad_root", "the pinned root is PEM text or DER bytes");
    const m = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*)-----END CERTIFICATE-----/.exec(s);
    const der = m ? b64decode(m[1].replace(/\s+/g, "")) : null;
    if (!der) throw new MalformedError("bad_root", "the pinned root is not a certificate");
    return der;
  }
  return toBytes(root);
}

/**
 * VerifyAttestation: structure, root pin, COSE signature, chain at the
 * document's own time (or atUnix), then the expected PCRs/user data/nonce.
 * Returns { document, publicKey }.
 */
export async function verifyAttestation(documentBytes, rootDer, { expectedPcrs = null, expectedUserData = null,
  expectedNonce = null, atUnix = null } = {}) {
  const sign1 = parseSign1(documentBytes);
  const doc = parseAttestationPayload(sign1.payload);
  rootDer = toBytes(rootDer);
  let root;
  try {
    root = parseCertificate(rootDer);
  } catch (e) {
    if (e instanceof DerError) throw new MalformedError("bad_root", "pinned root is not a DER certificate");
    throw e;
  }
  if (!equal(doc.cabundle[0], rootDer)) throw new VerificationError("untrusted_root", "cabundle[0] is not the pinned root");
  const spki = certificateSpki(doc.certificate);
  const leafKey = spki && spki.curve === OID.p384 ? await importEcKey(spki.der, spki.curve) : null;
  if (!leafKey) throw chainInvalid("leaf certificate has no P-384 key");
  let ok = false;
  try {
    ok = await subtle().verify({ name: "ECDSA", hash: "SHA-384" }, leafKey, sign1.signature, sign1.toBeSigned);
  } catch {
    ok = false;
  }
  if (!ok) throw new VerificationError("bad_cose_signature", "COSE_Sign1 ES384 signature does not verify");
  const at = atUnix !== null && atUnix !== undefined ? Number(atUnix) : Number(doc.timestampMs / 1000n);
  await verifyChain(doc, root, at);
  const pcrs = expectedPcrs instanceof Map ? expectedPcrs : new Map(Object.entries(expectedPcrs ?? {}).map(([k, v]) => [Number(k), v]));
  for (const [index, want] of pcrs) {
    const got = doc.pcrs.get(Number(index));
    if (!got || !equal(got, toBytes(want))) throw new VerificationError("pcr_mismatch", `PCR${index} is not the expected value`);
  }
  if (expectedUserData !== null && !equal(doc.userData, toBytes(expectedUserData))) {
    throw new VerificationError("user_data_mismatch", "user_data is not the expected value");
  }
  if (expectedNonce !== null && !equal(doc.nonce, toBytes(expectedNonce))) {
    throw new VerificationError("nonce_mismatch", "nonce is not the expected value");
  }
  return { document: doc, publicKey: doc.publicKey };
}
