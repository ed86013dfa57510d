"""The state map: keys, hashes, compressed proofs and their verification, as
ledger/core/record/src/state_map.cc and state_map_proof.cc (map.md §2-4, §6)."""
from ._util import sha256
from .errors import MalformedError, VerificationError

EMPTY = bytes(32)
KEY_BITS = 256


class Value:
    __slots__ = ("index", "version", "state")

    def __init__(self, index, version, state):
        self.index = index
        self.version = version
        self.state = state

    def encode(self):
        return self.index.to_bytes(8, "big") + self.version.to_bytes(8, "big") + self.state


class MapProof:
    __slots__ = ("leaf_key", "leaf_value", "siblings")

    def __init__(self, leaf_key, leaf_value, siblings):
        self.leaf_key = leaf_key      # None: the path ends in an empty subtree
        self.leaf_value = leaf_value
        self.siblings = siblings      # one per depth, EMPTY where empty


def key_of(subject):
    return sha256(b"\x12", subject.encode("utf-8") if isinstance(subject, str) else subject)


def stamp_key_of(event_bytes):
    return sha256(b"\x13", sha256(event_bytes))


def leaf_hash(key, value):
    return sha256(b"\x10", key, value.encode())


def node_hash(left, right):
    return sha256(b"\x11", left, right)


def key_bit(key, i):
    return (key[i // 8] >> (7 - i % 8)) & 1


def _malformed(message):
    return MalformedError("malformed_map_proof", "map proof: " + message)


def decode_value(data):
    if len(data) != 48:
        raise MalformedError("malformed_map_value", "map value is not 48 bytes")
    v = Value(int.from_bytes(data[:8], "big"), int.from_bytes(data[8:16], "big"), data[16:])
    if v.version == 0:
        raise MalformedError("malformed_map_value", "map value with version 0")
    return v


def decode_proof(data):
    """Strict: one proof, one encoding. MalformedError('malformed_map_proof')."""
    data = bytes(data)
    pos = 0

    def take(n):
        nonlocal pos
        if len(data) - pos < n:
            raise _malformed("truncated")
        out = data[pos:pos + n]
        pos += n
        return out

    if take(1)[0] != 1:
        raise _malformed("unknown version")
    terminal = take(1)[0]
    leaf_key = leaf_value = None
    if terminal == 1:
        leaf_key = take(32)
        raw = take(48)
        try:
            leaf_value = decode_value(raw)
        except MalformedError:
            raise _malformed("bad leaf value") from None
    elif terminal != 0:
        raise _malformed("unknown terminal")
    depth = int.from_bytes(take(2), "big")
    if depth > KEY_BITS:
        raise _malformed("depth above 256")
    bitmap = take((depth + 7) // 8)
    if depth % 8 != 0 and bitmap[-1] & (0xFF >> (depth % 8)):
        raise _malformed("non-zero bitmap padding")
    siblings = [EMPTY] * depth
    for d in range(depth):
        if not bitmap[d // 8] & (0x80 >> (d % 8)):
            continue
        s = take(32)
        if s == EMPTY:
            raise _malformed("empty sibling written out")
        siblings[d] = s
    if pos != len(data):
        raise _malformed("trailing bytes")
    return MapProof(leaf_key, leaf_value, siblings)


def root_from_proof(key, proof):
    h = EMPTY
    depth = len(proof.siblings)
    if proof.leaf_key is not None:
        for i in range(depth):
            if key_bit(proof.leaf_key, i) != key_bit(key, i):
                raise MalformedError("map_proof_off_path", "the proof's leaf is not on the key's path")
        h = leaf_hash(proof.leaf_key, proof.leaf_value)
    for d in range(depth - 1, -1, -1):
        h = node_hash(proof.siblings[d], h) if key_bit(key, d) else node_hash(h, proof.siblings[d])
    return h


def verify_proof(root, key, proof):
    """The key's Value if the proof shows it present, None if absent.
    VerificationError('map_proof_mismatch') if it does not lead to `root`."""
    if root_from_proof(key, proof) != root:
        raise VerificationError("map_proof_mismatch", "the map proof does not lead to the map root")
    if proof.leaf_key is not None and proof.leaf_key == key:
        return proof.leaf_value
    return None


def find_root(extensions):
    """The root of the checkpoint's "map <hex>" line, None without one.
    MalformedError('malformed_map_line')."""
    root = None
    for line in extensions:
        if not line.startswith("map "):
            continue
        if root is not None:
            raise MalformedError("malformed_map_line", "two map lines")
        hexpart = line[4:]
        if len(line) != 4 + 64 or any(c not in "0123456789abcdef" for c in hexpart):
            raise MalformedError("malformed_map_line", 'not "map <64 lowercase hex digits>"')
        root = bytes.fromhex(hexpart)
    return root
