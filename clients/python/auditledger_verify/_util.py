"""Strict decoders shared by every format: canonical base64, decimals, UTF-8, JSON."""
import base64
import binascii
import hashlib
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


_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_ESCAPES = {0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09}
_HEX = b"0123456789abcdefABCDEF"


class _JsonParser:
    """RFC 8259 JSON, read front to back as nlohmann's SAX parser reads it, so
    that the first defect in the text is the one reported: a duplicate key
    (duplicate_key) as soon as it is read, nesting deeper than max_depth,
    invalid UTF-8, lone surrogates, control characters, trailing bytes
    (malformed_json)."""

    def __init__(self, data, max_depth):
        self.d = data
        self.i = 0
        self.depth = 0
        self.max_depth = max_depth

    def fail(self, message):
        raise MalformedError("malformed_json", f"{message} at byte {self.i}")

    def ws(self):
        d, i = self.d, self.i
        while i < len(d) and d[i] in b" \t\n\r":
            i += 1
        self.i = i

    def parse(self):
        v = self.value()
        self.ws()
        if self.i != len(self.d):
            self.fail("trailing bytes after the value")
        return v

    def value(self):
        self.ws()
        if self.i >= len(self.d):
            self.fail("unexpected end of input")
        c = self.d[self.i]
        if c == 0x7B:
            return self.obj()
        if c == 0x5B:
            return self.arr()
        if c == 0x22:
            return self.string()
        if c == 0x2D or 0x30 <= c <= 0x39:
            return self.number()
        for lit, val in ((b"true", True), (b"false", False), (b"null", None)):
            if self.d.startswith(lit, self.i):
                self.i += len(lit)
                return val
        self.fail("unexpected character")

    def enter(self):
        self.depth += 1
        if self.depth > self.max_depth:
            raise MalformedError("malformed_json", f"nested deeper than {self.max_depth}")

    def expect(self, byte, what):
        self.ws()
        if self.i >= len(self.d) or self.d[self.i] != byte:
            self.fail("expected " + what)
        self.i += 1

    def obj(self):
        self.i += 1
        self.enter()
        out = {}
        self.ws()
        if self.d[self.i:self.i + 1] == b"}":
            self.i += 1
            self.depth -= 1
            return out
        while True:
            self.ws()
            if self.d[self.i:self.i + 1] != b'"':
                self.fail("expected a key")
            k = self.string()
            if k in out:
                raise MalformedError("duplicate_key", f'key "{k[:64]}" appears twice')
            self.expect(0x3A, "':'")
            out[k] = self.value()
            self.ws()
            c = self.d[self.i:self.i + 1]
            if c == b",":
                self.i += 1
                continue
            if c == b"}":
                self.i += 1
                self.depth -= 1
                return out
            self.fail("expected ',' or '}'")

    def arr(self):
        self.i += 1
        self.enter()
        out = []
        self.ws()
        if self.d[self.i:self.i + 1] == b"]":
            self.i += 1
            self.depth -= 1
            return out
        while True:
            out.append(self.value())
            self.ws()
            c = self.d[self.i:self.i + 1]
            if c == b",":
                self.i += 1
                continue
            if c == b"]":
                self.i += 1
                self.depth -= 1
                return out
            self.fail("expected ',' or ']'")

    def hex4(self):
        h = self.d[self.i:self.i + 4]
        if len(h) != 4 or any(c not in _HEX for c in h):
            self.fail("bad \\u escape")
        self.i += 4
        return int(h, 16)

    def string(self):
        d = self.d
        self.i += 1
        out = bytearray()
        while True:
            if self.i >= len(d):
                self.fail("unterminated string")
            c = d[self.i]
            if c == 0x22:
                self.i += 1
                break
            if c < 0x20:
                self.fail("control character in a string")
            if c != 0x5C:
                j = self.i
                while j < len(d) and d[j] != 0x22 and d[j] != 0x5C and d[j] >= 0x20:
                    j += 1
                chunk = d[self.i:j]
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError as e:
                    self.i += e.start
                    self.fail("invalid UTF-8")
                out += chunk
                self.i = j
                continue
            self.i += 1
            if self.i >= len(d):
                self.fail("unterminated escape")
            e = d[self.i]
            self.i += 1
            if e in _ESCAPES:
                out.append(_ESCAPES[e])
                continue
            if e != 0x75:
                self.fail("bad escape")
            cp = self.hex4()
            if 0xDC00 <= cp <= 0xDFFF:
                self.fail("lone low surrogate")
            if 0xD800 <= cp <= 0xDBFF:
                if d[self.i:self.i + 2] != b"\\u":
                    self.fail("lone high surrogate")
                self.i += 2
                lo = self.hex4()
                if not 0xDC00 <= lo <= 0xDFFF:
                    self.fail("lone high surrogate")
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
            out += chr(cp).encode("utf-8")
        return out.decode("utf-8")

    def number(self):
        m = _NUMBER.match(self.d, self.i)
        if not m:
            self.fail("bad number")
        text = m.group(0)
        self.i = m.end()
        if m.group(1) or m.group(2):
            return float(text)
        if text.startswith(b"-"):
            return _Negative(text)
        v = int(text)
        return v if v <= U64_MAX else float(v)


def parse_json_strict(text, max_size, max_depth=16):
    """JSON as ledger::codec::ParseJsonStrict reads it: size limit, no duplicate
    keys, depth limit, valid UTF-8, no NaN/Infinity, nothing after the value.
    Reasons json_too_large, duplicate_key, malformed_json."""
    if isinstance(text, str):
        data = text.encode("utf-8", "surrogatepass")
    else:
        data = bytes(text)
    if len(data) > max_size:
        raise MalformedError("json_too_large", f"JSON is {len(data)} bytes, limit {max_size}")
    return _JsonParser(data, max_depth).parse()


def is_u64(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= U64_MAX
