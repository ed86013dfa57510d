"""Strict decoders shared by every format: canonical base64, decimals, UTF-8, JSON."""
import base64
import binascii
import hashlib
import json
import re

from .errors import MalformedError

_B64_ALPHABET = re.compile(rb"\A[A-Za-z0-9+/]*={0,2}\Z")
U64_MAX = (1 << 64) - 1


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def to_bytes(value):
    """str (UTF-8, lone surrogates kept so that validation refuses them) or bytes."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise MalformedError("wrong_type", "expected str or bytes")


def b64decode(text):
    """Canonical standard base64 (RFC 4648 §4): exact padding, zero trailing bits.

    Returns None on any defect.
    """
    data = to_bytes(text) if not isinstance(text, bytes) else text
    if len(data) % 4 != 0 or not _B64_ALPHABET.match(data):
        return None
    if b"=" in data.rstrip(b"="):
        return None
    try:
        out = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    if base64.b64encode(out) != data:
        return None
    return out


def b64encode(data):
    return base64.b64encode(data).decode("ascii")


def parse_decimal_u64(text):
    """ASCII digits, no sign, no leading zero ("0" is fine), at most 2^64-1. None otherwise."""
    if isinstance(text, str):
        try:
            text = text.encode("ascii")
        except UnicodeEncodeError:
            return None
    if not text or len(text) > 20:
        return None
    if len(text) > 1 and text[:1] == b"0":
        return None
    if not all(0x30 <= c <= 0x39 for c in text):
        return None
    v = int(text)
    return v if v <= U64_MAX else None


def valid_utf8(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def hex_lower(data):
    return data.hex()


def parse_hex(text, size=None):
    """Hex of any case (as the C++ HexDecode), optionally of `size` bytes. None on defect."""
    if not isinstance(text, str) or len(text) % 2 != 0:
        return None
    if not re.fullmatch(r"[0-9a-fA-F]*", text):
        return None
    out = bytes.fromhex(text)
    if size is not None and len(out) != size:
        return None
    return out


class _Negative:
    """A negative JSON integer: never a valid count (nlohmann's number_integer)."""

    def __init__(self, text):
        self.text = text


def _reject_constant(name):
    raise MalformedError("malformed_json", f"{name} is not JSON")


def _pairs(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise MalformedError("duplicate_key", f'key "{k[:64]}" appears twice')
        seen.add(k)
    return dict(pairs)


def _check(value, depth, max_depth):
    if isinstance(value, (dict, list)):
        depth += 1
        if depth > max_depth:
            raise MalformedError("malformed_json", f"nested deeper than {max_depth}")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, v in items:
            if isinstance(k, str):
                _check_str(k)
            _check(v, depth, max_depth)
    elif isinstance(value, str):
        _check_str(value)


def _check_str(s):
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedError("malformed_json", "a string holds a lone surrogate") from None


def parse_json_strict(text, max_size, max_depth=16):
    """JSON as ledger::codec::ParseJsonStrict reads it: size limit, no duplicate
    keys, depth limit, valid UTF-8, no NaN/Infinity. Reasons json_too_large,
    duplicate_key, malformed_json."""
    if isinstance(text, str):
        data = text.encode("utf-8", "surrogatepass")
    else:
        data = bytes(text)
    if len(data) > max_size:
        raise MalformedError("json_too_large", f"JSON is {len(data)} bytes, limit {max_size}")
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedError("malformed_json", "not UTF-8") from None
    try:
        value = json.loads(
            s,
            object_pairs_hook=_pairs,
            parse_constant=_reject_constant,
            parse_int=lambda t: _Negative(t) if t.startswith("-") else int(t),
        )
    except MalformedError:
        raise
    except (ValueError, RecursionError) as e:
        raise MalformedError("malformed_json", str(e)[:200]) from None
    _check(value, 0, max_depth)
    return value


def is_u64(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= U64_MAX
