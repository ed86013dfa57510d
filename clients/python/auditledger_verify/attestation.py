"""Nitro-format attestation documents: COSE_Sign1/ES384 over a CBOR map, the
certificate chain to a pinned root, and the PCR/user-data policy, as
ledger/core/attestation/src/attestation.cc, cose.cc and attestation_verify.cc
(attestation.md). Reasons: malformed_cbor, malformed_cose,
unsupported_cose_algorithm, malformed_attestation, bad_root, untrusted_root,
bad_cose_signature, chain_invalid, certificate_expired,
certificate_not_yet_valid, pcr_mismatch, user_data_mismatch, nonce_mismatch."""
import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import SignatureAlgorithmOID

from . import cbor
from .errors import MalformedError, VerificationError

MAX_PCRS = 32
MAX_CERT_SIZE = 1024
MAX_PUBLIC_KEY_SIZE = 1024
MAX_USER_DATA_SIZE = 512


class AttestationDocument:
    def __init__(self):
        self.module_id = ""
        self.digest = ""
        self.timestamp_ms = 0
        self.pcrs = {}
        self.certificate = b""
        self.cabundle = []
        self.public_key = b""
        self.user_data = b""
        self.nonce = b""


class Sign1:
    __slots__ = ("to_be_signed", "payload", "signature")

    def __init__(self, to_be_signed, payload, signature):
        self.to_be_signed = to_be_signed
        self.payload = payload
        self.signature = signature


def _cose(message):
    return MalformedError("malformed_cose", message)


def _bstr(item, name):
    if item.type != cbor.BYTES or item.indefinite:
        raise _cose(f"{name} must be a definite-length byte string")


def parse_sign1(data):
    data = bytes(data)
    top = cbor.decode(data)
    array = top
    if top.type == cbor.TAG:
        if top.value != 18:
            raise _cose("tag is not COSE_Sign1 (18)")
        array = top.items[0]
    if array.type != cbor.ARRAY or len(array.items) != 4:
        raise _cose("COSE_Sign1 must be an array of 4 items")
    prot, unprot, payload, sig = array.items
    _bstr(prot, "protected header")
    if unprot.type != cbor.MAP:
        raise _cose("unprotected header must be a map")
    _bstr(payload, "payload")
    _bstr(sig, "signature")
    if len(sig.value) != 96:
        raise _cose("ES384 signature must be 96 bytes (r || s)")
    if not prot.value:
        raise MalformedError("unsupported_cose_algorithm", "no alg")
    header = cbor.decode(prot.value)
    if header.type != cbor.MAP:
        raise _cose("protected header is not a map")
    if header.find_int(2) is not None or unprot.find_int(2) is not None:
        raise _cose("critical header parameters are not supported")
    for label, _ in unprot.entries:
        for plabel, _ in header.entries:
            if label.same_value(plabel):
                raise _cose("header label in both buckets")
    alg = header.find_int(1)
    if alg is None or alg.as_int() != -35:
        raise MalformedError("unsupported_cose_algorithm", "protected header alg must be ES384 (-35)")
    tbs = (cbor.encode_head(4, 4) + cbor.encode_head(3, 10) + b"Signature1" + prot.raw(data)
           + cbor.encode_head(2, 0) + payload.raw(data))
    return Sign1(tbs, payload.value, sig.value)


def _bad(message):
    return MalformedError("malformed_attestation", message)


def _bytes_field(v, name, lo, hi, nullable):
    if nullable and v.type == cbor.NULL:
        return b""
    if v.type != cbor.BYTES:
        raise _bad(f"{name} must be a byte string")
    if not lo <= len(v.value) <= hi:
        raise _bad(f"{name} has {len(v.value)} bytes, outside {lo}..{hi}")
    return v.value


def parse_attestation_payload(payload):
    m = cbor.decode(payload)
    if m.type != cbor.MAP:
        raise _bad("payload is not a map")
    doc = AttestationDocument()
    for key, v in m.entries:
        if key.type != cbor.TEXT:
            raise _bad("payload keys must be text")
        name = key.value
        if name == "module_id":
            if v.type != cbor.TEXT or not v.value:
                raise _bad("module_id must be non-empty text")
            doc.module_id = v.value
        elif name == "digest":
            if v.type != cbor.TEXT or v.value != "SHA384":
                raise _bad('digest must be "SHA384"')
            doc.digest = v.value
        elif name == "timestamp":
            if v.type != cbor.UNSIGNED or v.value == 0:
                raise _bad("timestamp must be a uint > 0")
            doc.timestamp_ms = v.value
        elif name == "pcrs":
            if v.type != cbor.MAP:
                raise _bad("pcrs must be a map")
            if not 1 <= len(v.entries) <= MAX_PCRS:
                raise _bad("pcrs must have 1..32 entries")
            for k, pv in v.entries:
                if k.type != cbor.UNSIGNED or k.value >= MAX_PCRS:
                    raise _bad("pcr index must be an integer in 0..31")
                if pv.type != cbor.BYTES or len(pv.value) not in (32, 48, 64):
                    raise _bad("pcr value must be 32, 48 or 64 bytes")
                doc.pcrs[k.value] = pv.value
        elif name == "certificate":
            doc.certificate = _bytes_field(v, name, 1, MAX_CERT_SIZE, False)
        elif name == "cabundle":
            if v.type != cbor.ARRAY or not v.items:
                raise _bad("cabundle must be a non-empty array")
            doc.cabundle = [_bytes_field(c, "cabundle entry", 1, MAX_CERT_SIZE, False) for c in v.items]
        elif name == "public_key":
            doc.public_key = _bytes_field(v, name, 1, MAX_PUBLIC_KEY_SIZE, True)
        elif name == "user_data":
            doc.user_data = _bytes_field(v, name, 0, MAX_USER_DATA_SIZE, True)
        elif name == "nonce":
            doc.nonce = _bytes_field(v, name, 0, MAX_USER_DATA_SIZE, True)
        else:
            raise _bad("unknown field " + name)
    for name in ("module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle"):
        if m.find(name) is None:
            raise _bad("missing field " + name)
    return doc


def parse_attestation(data):
    return parse_attestation_payload(parse_sign1(data).payload)


def _chain_invalid(message):
    return VerificationError("chain_invalid", message)


def _load(der, what):
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        raise _chain_invalid(f"{what} is not DER X.509") from None


def _is_es384(cert):
    try:
        key = cert.public_key()
        return (cert.signature_algorithm_oid == SignatureAlgorithmOID.ECDSA_WITH_SHA384
                and isinstance(key, ec.EllipticCurvePublicKey)
                and isinstance(key.curve, ec.SECP384R1))
    except Exception:  # noqa: BLE001 - an unsupported key is not P-384
        return False


def _ext(cert, cls):
    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def _utc(dt):
    return dt.timestamp()


def _validity(cert):
    try:
        return _utc(cert.not_valid_before_utc), _utc(cert.not_valid_after_utc)
    except AttributeError:  # cryptography < 42
        nb = cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)
        na = cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
        return _utc(nb), _utc(na)


_X509_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm, InvalidSignature)


def _issued_by(cert, issuer):
    """cert's signature verifies with issuer's key, and names it as issuer."""
    if cert.issuer != issuer.subject:
        return False
    if hasattr(cert, "verify_directly_issued_by"):  # cryptography >= 40
        try:
            cert.verify_directly_issued_by(issuer)
            return True
        except _X509_ERRORS:
            return False
    key = issuer.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or cert.signature_hash_algorithm is None:
        return False
    try:
        key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        return True
    except _X509_ERRORS:
        return False


def _verify_chain(doc, root, at):
    try:
        _verify_chain_unchecked(doc, root, at)
    except _X509_ERRORS as e:
        raise _chain_invalid(f"certificate does not parse: {e}") from None


def _verify_chain_unchecked(doc, root, at):
    leaf = _load(doc.certificate, "certificate")
    bundle = [_load(der, f"cabundle[{i}]") for i, der in enumerate(doc.cabundle) if i > 0]
    # leaf, cabundle[n], ..., cabundle[1], root
    path = [leaf] + list(reversed(bundle)) + [root]
    for i in range(len(path) - 1):
        cert, issuer = path[i], path[i + 1]
        if cert.issuer != issuer.subject:
            raise _chain_invalid("unable to get local issuer certificate")
        bc = _ext(issuer, x509.BasicConstraints)
        if bc is None or not bc.ca:
            raise _chain_invalid("invalid CA certificate")
        ku = _ext(issuer, x509.KeyUsage)
        if ku is not None and not ku.key_cert_sign:
            raise _chain_invalid("key usage does not include certificate signing")
        # CAs below this issuer, excluding the leaf.
        if bc.path_length is not None and i > bc.path_length:
            raise _chain_invalid("path length constraint exceeded")
    # Signatures and validity from the root down, as OpenSSL's internal_verify.
    for i in range(len(path) - 1, -1, -1):
        cert = path[i]
        issuer = path[i + 1] if i + 1 < len(path) else root
        if not _issued_by(cert, issuer):
            raise _chain_invalid("certificate signature failure")
        not_before, not_after = _validity(cert)
        if not_before > at:
            raise VerificationError("certificate_not_yet_valid", "certificate is not yet valid")
        if not_after <= at:
            raise VerificationError("certificate_expired", "certificate has expired")
    for cert in path:
        if not _is_es384(cert):
            raise _chain_invalid("certificate is not ECDSA P-384/SHA-384")
    ku = _ext(leaf, x509.KeyUsage)
    if ku is not None and not ku.digital_signature:
        raise _chain_invalid("leaf certificate lacks digitalSignature")


def root_der_of(root):
    """A pinned root given as DER bytes or PEM (bytes or str) -> DER."""
    if isinstance(root, str):
        root = root.encode("ascii", "replace")
    root = bytes(root)
    if root.lstrip().startswith(b"-----BEGIN"):
        from cryptography.hazmat.primitives.serialization import Encoding
        try:
            return x509.load_pem_x509_certificate(root).public_bytes(Encoding.DER)
        except ValueError:
            raise MalformedError("bad_root", "the pinned root is not a certificate") from None
    return root


def _der_tlv(data, pos):
    """(tag, content start, end) of the DER element at pos, or None."""
    if pos + 2 > len(data):
        return None
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > len(data):
            return None
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    if pos + length > len(data):
        return None
    return tag, pos, pos + length


def _spki_of(cert_der):
    """The subjectPublicKeyInfo of a certificate, by a walk over its DER
    (Certificate -> tbsCertificate -> the 7th field, or 6th without a
    version): how OpenSSL reads the key of a certificate whose validity
    times a strict parser refuses."""
    outer = _der_tlv(cert_der, 0)
    if outer is None or outer[0] != 0x30 or outer[2] != len(cert_der):
        return None
    tbs = _der_tlv(cert_der, outer[1])
    if tbs is None or tbs[0] != 0x30:
        return None
    pos, fields = tbs[1], 0
    first = _der_tlv(cert_der, pos)
    if first is not None and first[0] == 0xA0:
        pos = first[2]
    while pos < tbs[2]:
        el = _der_tlv(cert_der, pos)
        if el is None or el[2] > tbs[2]:
            return None
        if fields == 5:
            return cert_der[pos:el[2]] if el[0] == 0x30 else None
        fields += 1
        pos = el[2]
    return None


def _leaf_key(cert_der):
    try:
        return x509.load_der_x509_certificate(cert_der).public_key()
    except _X509_ERRORS as e:
        # OpenSSL decodes a certificate without reading its time strings;
        # anything else it refuses too.
        if "Validity" not in str(e):
            return None
    spki = _spki_of(cert_der)
    if spki is None:
        return None
    from cryptography.hazmat.primitives.serialization import load_der_public_key
    try:
        return load_der_public_key(spki)
    except _X509_ERRORS:
        return None


class VerifiedAttestation:
    __slots__ = ("document", "public_key")

    def __init__(self, document):
        self.document = document
        self.public_key = document.public_key


def verify_attestation(document, root_der, expected_pcrs=None, expected_user_data=None,
                       expected_nonce=None, at_unix=None):
    """VerifyAttestation: structure, root pin, COSE signature, chain at the
    document's own time (or at_unix), then the expected PCRs/user data/nonce."""
    sign1 = parse_sign1(document)
    doc = parse_attestation_payload(sign1.payload)
    try:
        root = x509.load_der_x509_certificate(bytes(root_der))
    except _X509_ERRORS:
        raise MalformedError("bad_root", "pinned root is not a DER certificate") from None
    if doc.cabundle[0] != bytes(root_der):
        raise VerificationError("untrusted_root", "cabundle[0] is not the pinned root")
    leaf_key = _leaf_key(doc.certificate)
    if not isinstance(leaf_key, ec.EllipticCurvePublicKey) or not isinstance(leaf_key.curve, ec.SECP384R1):
        raise _chain_invalid("leaf certificate has no P-384 key")
    r = int.from_bytes(sign1.signature[:48], "big")
    s = int.from_bytes(sign1.signature[48:], "big")
    try:
        leaf_key.verify(encode_dss_signature(r, s), sign1.to_be_signed, ec.ECDSA(hashes.SHA384()))
    except _X509_ERRORS:
        raise VerificationError("bad_cose_signature", "COSE_Sign1 ES384 signature does not verify") from None
    at = at_unix if at_unix is not None else doc.timestamp_ms // 1000
    _verify_chain(doc, root, at)
    for index, want in (expected_pcrs or {}).items():
        if doc.pcrs.get(index) != bytes(want):
            raise VerificationError("pcr_mismatch", f"PCR{index} is not the expected value")
    if expected_user_data is not None and doc.user_data != bytes(expected_user_data):
        raise VerificationError("user_data_mismatch", "user_data is not the expected value")
    if expected_nonce is not None and doc.nonce != bytes(expected_nonce):
        raise VerificationError("nonce_mismatch", "nonce is not the expected value")
    return VerifiedAttestation(doc)
