"""Leaf bytes v1 and the witnesses' time bound, as ledger/core/record/src/leaf.cc and
witness_time.cc (leaf.md)."""
from ._util import sha256
from .errors import MalformedError, VerificationError

MAX_LEAF_SIZE = 65535
MAX_CLOCK_SKEW_SECONDS = 300
_U64_MAX = (1 << 64) - 1


class Leaf:
    __slots__ = ("index", "recorded_at_us", "prev_leaf_hash", "event", "stamp")

    def __init__(self, index, recorded_at_us, prev_leaf_hash, event, stamp):
        self.index = index
        self.recorded_at_us = recorded_at_us
        self.prev_leaf_hash = prev_leaf_hash
        self.event = event  # canonical event bytes
        self.stamp = stamp  # stamp bytes, b"" when unstamped


def _bad(message):
    return MalformedError("malformed_leaf", message)


def decode_leaf(data):
    """Strict inverse of EncodeLeaf. MalformedError('malformed_leaf')."""
    data = bytes(data)
    if len(data) > MAX_LEAF_SIZE:
        raise _bad(f"leaf is {len(data)} bytes, limit 65535")
    if len(data) < 1:
        raise _bad("truncated")
    if data[0] != 0x01:
        raise _bad(f"unknown version {data[0]}")
    if len(data) < 51:
        raise _bad("truncated")
    index = int.from_bytes(data[1:9], "big")
    recorded = int.from_bytes(data[9:17], "big")
    prev = data[17:49]
    event_len = int.from_bytes(data[49:51], "big")
    if event_len == 0:
        raise _bad("the event is empty")
    pos = 51
    if len(data) - pos < event_len:
        raise _bad("truncated")
    event = data[pos:pos + event_len]
    pos += event_len
    if len(data) - pos < 2:
        raise _bad("truncated")
    stamp_len = int.from_bytes(data[pos:pos + 2], "big")
    pos += 2
    if len(data) - pos < stamp_len:
        raise _bad("truncated")
    stamp = data[pos:pos + stamp_len]
    pos += stamp_len
    if pos != len(data):
        raise _bad("trailing bytes")
    return Leaf(index, recorded, prev, event, stamp)


def chain_genesis(origin):
    return sha256(b"audit-ledger/chain/v1\n", origin.encode(), b"\n")


def verify_chain_link(leaf, expected_prev_leaf_hash, expected_index):
    if leaf.index != expected_index:
        raise VerificationError("chain_broken", f"leaf index {leaf.index}, expected {expected_index}")
    if leaf.prev_leaf_hash != expected_prev_leaf_hash:
        raise VerificationError("chain_broken", f"leaf {leaf.index} links to {leaf.prev_leaf_hash.hex()}")


def quorum_time(cosignatures, quorum):
    """The K-th latest non-zero cosignature time (K = max(quorum, 1)), or None."""
    k = max(quorum, 1)
    times = sorted((c.timestamp for c in cosignatures if c.timestamp != 0), reverse=True)
    if len(times) < k:
        return None
    return times[k - 1]


def check_recorded_at(recorded_at_us, cosignatures, quorum):
    """VerificationError('recorded_after_cosignature') when the leaf is dated
    more than 300 s after the witnesses' quorum time."""
    t = quorum_time(cosignatures, quorum)
    if t is None:
        return
    if t > _U64_MAX // 1_000_000 - MAX_CLOCK_SKEW_SECONDS:
        return
    latest_us = (t + MAX_CLOCK_SKEW_SECONDS) * 1_000_000
    if recorded_at_us > latest_us:
        raise VerificationError(
            "recorded_after_cosignature",
            f"recorded_at {recorded_at_us} us is more than 300 s after the witnesses' quorum time {t} s")
