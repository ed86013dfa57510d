"""A strict CBOR (RFC 8949) decoder, as ledger/core/attestation/src/cbor.cc (attestation.md §1):
one item, shortest heads, definite and indefinite lengths, valid UTF-8, no
duplicate map keys, only false/true/null simple values, depth 16, 4096 items,
64 KiB. Every defect is MalformedError('malformed_cbor')."""
from ._util import valid_utf8
from .errors import MalformedError

UNSIGNED, NEGATIVE, BYTES, TEXT, ARRAY, MAP, TAG, BOOL, NULL = range(9)


class Item:
    __slots__ = ("type", "value", "items", "entries", "indefinite", "offset", "size")

    def __init__(self, type_, offset):
        self.type = type_
        self.value = None   # int (UNSIGNED: n, NEGATIVE: n for -1-n, TAG: number), bytes, str, bool
        self.items = []     # ARRAY elements, TAG content
        self.entries = []   # MAP (key, value) pairs
        self.indefinite = False
        self.offset = offset
        self.size = 0

    def raw(self, data):
        return data[self.offset:self.offset + self.size]

    def same_value(self, other):
        if self.type != other.type:
            return False
        if self.type in (ARRAY,):
            return len(self.items) == len(other.items) and all(
                a.same_value(b) for a, b in zip(self.items, other.items))
        if self.type == TAG:
            return self.value == other.value and self.items[0].same_value(other.items[0])
        if self.type == MAP:
            return len(self.entries) == len(other.entries) and all(
                any(k.same_value(k2) and v.same_value(v2) for k2, v2 in other.entries)
                for k, v in self.entries)
        if self.type == NULL:
            return True
        return self.value == other.value

    def as_int(self):
        if self.type == UNSIGNED and self.value < (1 << 63):
            return self.value
        if self.type == NEGATIVE and self.value < (1 << 63):
            return -1 - self.value
        return None

    def find(self, key):
        for k, v in self.entries:
            if k.type == TEXT and k.value == key:
                return v
        return None

    def find_int(self, key):
        for k, v in self.entries:
            if k.as_int() == key:
                return v
        return None


class _Decoder:
    def __init__(self, data, max_depth=16, max_items=4096, max_size=64 * 1024):
        self.data = data
        self.pos = 0
        self.items = 0
        self.max_depth = max_depth
        self.max_items = max_items
        self.max_size = max_size

    def fail(self, what):
        return MalformedError("malformed_cbor", f"{what} at offset {self.pos}")

    def count(self):
        self.items += 1
        if self.items > self.max_items:
            raise self.fail("more data items than the limit")

    def head(self):
        if self.pos >= len(self.data):
            raise self.fail("unexpected end of input")
        initial = self.data[self.pos]
        self.pos += 1
        major, ai = initial >> 5, initial & 0x1F
        if ai < 24:
            return major, ai, ai, False
        if ai == 31:
            return major, ai, 0, True
        if ai > 27:
            raise self.fail("reserved additional information value")
        n = 1 << (ai - 24)
        if len(self.data) - self.pos < n:
            raise self.fail("truncated argument")
        arg = int.from_bytes(self.data[self.pos:self.pos + n], "big")
        self.pos += n
        if major != 7:
            minimum = 24 if n == 1 else 1 << (4 * n)
            if arg < minimum:
                raise self.fail("integer or length not in its shortest form")
        return major, ai, arg, False

    def take(self, n):
        if n > len(self.data) - self.pos:
            raise self.fail("string longer than the remaining input")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def string(self, major, arg, indefinite, item):
        chunks = []

        def add(chunk):
            if major == 3 and not valid_utf8(chunk):
                raise self.fail("text string is not valid UTF-8")
            chunks.append(chunk)

        if not indefinite:
            add(self.take(arg))
        else:
            while True:
                if self.pos >= len(self.data):
                    raise self.fail("unterminated indefinite-length string")
                if self.data[self.pos] == 0xFF:
                    self.pos += 1
                    break
                self.count()
                cmaj, _, carg, cind = self.head()
                if cmaj != major or cind:
                    raise self.fail("indefinite-length string chunk of the wrong type")
                add(self.take(carg))
        joined = b"".join(chunks)
        item.value = joined.decode("utf-8") if major == 3 else joined

    def at_break(self, indefinite, read, count):
        if not indefinite:
            return read == count
        if self.pos >= len(self.data):
            raise self.fail("unterminated indefinite-length container")
        if self.data[self.pos] != 0xFF:
            return False
        self.pos += 1
        return True

    def item(self, depth):
        if depth > self.max_depth:
            raise self.fail("nesting deeper than the limit")
        self.count()
        start = self.pos
        if self.pos < len(self.data) and self.data[self.pos] == 0xFF:
            raise self.fail("unexpected break")
        major, ai, arg, indefinite = self.head()
        if indefinite and not 2 <= major <= 5:
            raise self.fail("indefinite length on a type that has none")
        item = Item(None, start)
        item.indefinite = indefinite
        if major in (0, 1):
            item.type = UNSIGNED if major == 0 else NEGATIVE
            item.value = arg
        elif major in (2, 3):
            item.type = BYTES if major == 2 else TEXT
            self.string(major, arg, indefinite, item)
        elif major == 4:
            item.type = ARRAY
            i = 0
            while not self.at_break(indefinite, i, arg):
                item.items.append(self.item(depth + 1))
                i += 1
        elif major == 5:
            item.type = MAP
            i = 0
            while not self.at_break(indefinite, i, arg):
                key_offset = self.pos
                key = self.item(depth + 1)
                for k, _ in item.entries:
                    if k.same_value(key):
                        raise MalformedError("malformed_cbor", f"duplicate map key at offset {key_offset}")
                value = self.item(depth + 1)
                item.entries.append((key, value))
                i += 1
        elif major == 6:
            item.type = TAG
            item.value = arg
            item.items.append(self.item(depth + 1))
        else:
            if ai in (20, 21):
                item.type = BOOL
                item.value = ai == 21
            elif ai == 22:
                item.type = NULL
            else:
                self.pos = start
                raise self.fail("unsupported simple value or float")
        item.size = self.pos - start
        return item

    def top(self):
        if len(self.data) > self.max_size:
            raise self.fail("input larger than the size limit")
        item = self.item(0)
        if self.pos != len(self.data):
            raise self.fail("trailing bytes after the data item")
        return item


def decode(data, max_depth=16, max_items=4096, max_size=64 * 1024):
    return _Decoder(bytes(data), max_depth, max_items, max_size).top()


def encode_head(major, arg):
    if arg < 24:
        return bytes([major << 5 | arg])
    for ai, n in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < (1 << (8 * n)):
            return bytes([major << 5 | ai]) + arg.to_bytes(n, "big")
    raise ValueError("argument too large")
