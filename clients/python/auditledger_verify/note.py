"""C2SP signed notes (signed-note v1.0.0) and verifier keys, as ledger/core/note/src/note.cc.

Byte layouts: schemas/formats/checkpoint.md §1-3, stamp.md §5.
"""
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ._util import b64decode, b64encode, sha256, to_bytes, valid_utf8
from .errors import MalformedError, VerificationError

MAX_NOTE_SIZE = 1 << 20
MAX_SIGNATURES = 100
ALG_ED25519 = 0x01
ALG_ECDSA = 0x02
ALG_COSIGNATURE_V1 = 0x04
ALG_PRIVATE = 0xFF
SECP256K1_IDENTIFIER = b"audit-ledger/secp256k1"
MAX_COSIGNATURE_TIMESTAMP = (1 << 63) - 1
_SIG_PREFIX = b"\xe2\x80\x94 "
_P256_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
_P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

_UNICODE_SPACES = {0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000}


def _malformed(message):
    return MalformedError("malformed_note", message)


def _is_space(cp):
    return (0x09 <= cp <= 0x0D or cp == 0x20 or cp in _UNICODE_SPACES
            or 0x2000 <= cp <= 0x200A)


def is_valid_key_name(name):
    """Non-empty UTF-8 without '+', Unicode white space or control characters."""
    data = to_bytes(name)
    if not data or not valid_utf8(data):
        return False
    for ch in data.decode("utf-8"):
        cp = ord(ch)
        if ch == "+" or cp < 0x20 or _is_space(cp):
            return False
    return True


def _valid_characters(data):
    if not valid_utf8(data):
        return False
    return all(c >= 0x20 or c == 0x0A for c in data)


def validate_text(text):
    """A note text: at most 1 MiB, ends in '\\n', UTF-8, no control characters but '\\n'."""
    if len(text) > MAX_NOTE_SIZE:
        raise _malformed("note text too large")
    if not text or text[-1:] != b"\n":
        raise _malformed("note text does not end in a newline")
    if not _valid_characters(text):
        raise _malformed("invalid UTF-8 or a control character")


def key_id(name, alg, public_key):
    """SHA-256(name || 0x0A || type || public key)[:4] as u32 big-endian."""
    return int.from_bytes(sha256(to_bytes(name), b"\n", bytes([alg]), public_key)[:4], "big")


class Signature:
    __slots__ = ("name", "key_id", "payload")

    def __init__(self, name, key_id_, payload):
        self.name = name
        self.key_id = key_id_
        self.payload = payload


class Note:
    __slots__ = ("text", "signatures")

    def __init__(self, text, signatures):
        self.text = text
        self.signatures = signatures


def parse_note(note):
    """Strict signed-note parse. MalformedError('malformed_note') on any defect."""
    data = to_bytes(note)
    if len(data) > MAX_NOTE_SIZE:
        raise _malformed(f"note larger than {MAX_NOTE_SIZE} bytes")
    if not _valid_characters(data):
        raise _malformed("invalid UTF-8 or a control character")
    split = data.rfind(b"\n\n")
    if split < 0:
        raise _malformed("no blank line before the signatures")
    text = data[: split + 1]
    sigs = data[split + 2:]
    if not sigs:
        raise _malformed("no signature lines")
    if sigs[-1:] != b"\n":
        raise _malformed("note does not end in a newline")
    out = []
    for line in sigs[:-1].split(b"\n"):
        if len(out) == MAX_SIGNATURES:
            raise _malformed(f"more than {MAX_SIGNATURES} signatures")
        out.append(_parse_signature_line(line))
    return Note(text, out)


def _parse_signature_line(line):
    if not line.startswith(_SIG_PREFIX):
        raise _malformed("signature line does not start with an em dash and a space")
    line = line[len(_SIG_PREFIX):]
    space = line.find(b" ")
    if space < 0:
        raise _malformed("signature line has no signature")
    name = line[:space]
    if not is_valid_key_name(name):
        raise _malformed("invalid key name in signature line")
    decoded = b64decode(line[space + 1:])
    if decoded is None:
        raise _malformed("signature is not canonical base64")
    if len(decoded) < 5:
        raise _malformed("signature too short")
    return Signature(name.decode("utf-8"), int.from_bytes(decoded[:4], "big"), decoded[4:])


def cosignature_message(checkpoint_text, timestamp):
    return b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + checkpoint_text


class VerifierKey:
    """A signed-note verifier key: Ed25519 (0x01), cosignature/v1 (0x04), and
    for stamps ECDSA P-256 (0x02) and secp256k1 (0xff audit-ledger/secp256k1)."""

    def __init__(self, name, alg, public_key, key_id_, material, crypto_key):
        self.name = name
        self.alg = alg
        self.public_key = public_key
        self.key_id = key_id_
        self._material = material  # type || key as in the vkey
        self._key = crypto_key

    @property
    def material(self):
        return self._material

    def vkey(self):
        return f"{self.name}+{self.key_id:08x}+{b64encode(self._material)}"

    def __repr__(self):
        return f"VerifierKey({self.vkey()!r})"

    def verify(self, text, payload):
        """True iff `payload` (the signature bytes after the key ID) verifies over `text`."""
        try:
            if self.alg == ALG_ED25519:
                self._key.verify(payload, text)
                return True
            if self.alg == ALG_COSIGNATURE_V1:
                return self.verify_cosignature(text, payload) is not None
            if self.alg == ALG_ECDSA:
                if len(payload) > 72:
                    return False
                r, s = decode_dss_signature(payload)
                if encode_dss_signature(r, s) != payload:
                    return False
                self._key.verify(payload, text, ec.ECDSA(hashes.SHA256()))
                return True
            if self.alg == ALG_PRIVATE:
                if len(payload) != 64:
                    return False
                r = int.from_bytes(payload[:32], "big")
                s = int.from_bytes(payload[32:], "big")
                if not (1 <= r < _K1_N and 1 <= s <= _K1_N // 2):
                    return False
                self._key.verify(encode_dss_signature(r, s), text, ec.ECDSA(hashes.SHA256()))
                return True
        except (InvalidSignature, ValueError):
            return False
        return False

    def verify_cosignature(self, text, payload):
        """The timestamp of a valid cosignature/v1 payload, else None."""
        if len(payload) != 72:
            return None
        timestamp = int.from_bytes(payload[:8], "big")
        if timestamp > MAX_COSIGNATURE_TIMESTAMP:
            return None
        try:
            self._key.verify(payload[8:], cosignature_message(text, timestamp))
        except InvalidSignature:
            return None
        return timestamp


def p256_low_s(payload):
    try:
        _, s = decode_dss_signature(payload)
    except ValueError:
        return False
    return 0 < s <= _P256_N // 2


def _bad_vkey(message):
    return MalformedError("bad_verifier_key", message)


def parse_verifier_key(vkey):
    """<name>+<8 lowercase hex key ID>+<base64(type || key)>. MalformedError('bad_verifier_key')."""
    if isinstance(vkey, VerifierKey):
        return vkey
    if not isinstance(vkey, str):
        raise _bad_vkey("a verifier key is a string")
    p1 = vkey.find("+")
    p2 = vkey.find("+", p1 + 1) if p1 >= 0 else -1
    if p2 < 0:
        raise _bad_vkey("expected <name>+<id>+<key>")
    name, hexid = vkey[:p1], vkey[p1 + 1:p2]
    if not is_valid_key_name(name):
        raise _bad_vkey("invalid key name")
    if len(hexid) != 8 or any(c not in "0123456789abcdef" for c in hexid):
        raise _bad_vkey("key ID must be 8 lowercase hex digits")
    material = b64decode(vkey[p2 + 1:])
    if not material:
        raise _bad_vkey("key is not canonical base64")
    want = int(hexid, 16)
    alg, raw = material[0], material[1:]
    if alg == ALG_ECDSA:
        if len(raw) != 91 or not raw.startswith(_P256_SPKI_PREFIX) or raw[26] != 0x04:
            raise _bad_vkey("P-256 key must be the 91-byte SubjectPublicKeyInfo")
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[26:])
        except ValueError:
            raise _bad_vkey("not a point on P-256") from None
        kid = int.from_bytes(sha256(raw)[:4], "big")
    elif alg == ALG_PRIVATE:
        if not raw.startswith(SECP256K1_IDENTIFIER):
            raise _bad_vkey("unsupported signature type 255")
        point = raw[len(SECP256K1_IDENTIFIER):]
        if len(point) != 33 or point[0] not in (2, 3):
            raise _bad_vkey("secp256k1 key must be a 33-byte compressed point")
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), point)
        except ValueError:
            raise _bad_vkey("not a point on secp256k1") from None
        kid = key_id(name, alg, raw)
    elif alg in (ALG_ED25519, ALG_COSIGNATURE_V1):
        if len(raw) != 32:
            raise _bad_vkey("Ed25519 public key must be 32 bytes")
        key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        kid = key_id(name, alg, raw)
    else:
        raise _bad_vkey(f"unsupported signature type {alg}")
    if kid != want:
        raise _bad_vkey("key ID does not match the key")
    return VerifierKey(name, alg, raw, kid, material, key)


def open_note(note, known):
    """signed-note §Signatures: every line of a known (name, key ID) must verify
    (VerificationError('bad_signature')); at least one must
    ('unverified_note'). Returns the known keys that signed, in order."""
    validate_text(note.text)
    verified = []
    for sig in note.signatures:
        for v in known:
            if v is None or v.name != sig.name or v.key_id != sig.key_id:
                continue
            if not v.verify(note.text, sig.payload):
                raise VerificationError("bad_signature",
                                        f"signature by {sig.name} does not verify")
            if not any(x is v for x in verified):
                verified.append(v)
    if not verified:
        raise VerificationError("unverified_note", "no signature from a known key")
    return verified
