"""Submitter stamps v1 and batch stamps v2, as ledger/core/record/src/stamp.cc
(stamp.md)."""
from ._util import sha256, to_bytes
from .errors import MalformedError, VerificationError
from .merkle import inclusion_proof_size, leaf_hash, root_from_inclusion_proof
from .note import ALG_ECDSA, ALG_ED25519, ALG_PRIVATE, is_valid_key_name, p256_low_s, parse_verifier_key

MAX_BATCH_STAMP_EVENTS = 1 << 20


class BatchPosition:
    """Where the event sits in the request a batch stamp signed (stamp.md §7.2)."""
    __slots__ = ("index", "count", "path")

    def __init__(self, index, count, path):
        self.index = index
        self.count = count
        self.path = path


class Stamp:
    __slots__ = ("key_name", "key_id", "payload", "batch")

    def __init__(self, key_name, key_id, payload, batch=None):
        self.key_name = key_name
        self.key_id = key_id
        self.payload = payload
        self.batch = batch


def stamp_text(origin, event_bytes):
    return b"audit-ledger/stamp/v1\n" + to_bytes(origin) + b"\n" + sha256(event_bytes).hex().encode() + b"\n"


def batch_stamp_text(origin, count, root):
    """stamp.md §7.1: what a batch stamp signs."""
    return (b"audit-ledger/stamp-batch/v1\n" + to_bytes(origin) + b"\n" + str(count).encode() + b"\n" +
            root.hex().encode() + b"\n")


def _bad(message):
    return MalformedError("malformed_stamp", message)


def decode_stamp(data):
    """Strict inverse of EncodeStamp. MalformedError('malformed_stamp')."""
    data = bytes(data)
    if len(data) < 2:
        raise _bad("truncated")
    if data[0] not in (0x01, 0x02):
        raise _bad(f"unknown version {data[0]}")
    name_len = data[1]
    pos = 2
    if len(data) - pos < name_len + 6:
        raise _bad("truncated")
    name = data[pos:pos + name_len]
    pos += name_len
    key_id = int.from_bytes(data[pos:pos + 4], "big")
    payload_len = int.from_bytes(data[pos + 4:pos + 6], "big")
    pos += 6
    if len(data) - pos < payload_len:
        raise _bad("truncated")
    payload = data[pos:pos + payload_len]
    pos += payload_len
    batch = None
    if data[0] == 0x02:
        if len(data) - pos < 9:
            raise _bad("truncated")
        index = int.from_bytes(data[pos:pos + 4], "big")
        count = int.from_bytes(data[pos + 4:pos + 8], "big")
        path_len = data[pos + 8]
        pos += 9
        if len(data) - pos < 32 * path_len:
            raise _bad("truncated")
        path = [data[pos + 32 * i:pos + 32 * (i + 1)] for i in range(path_len)]
        pos += 32 * path_len
        if count == 0 or count > MAX_BATCH_STAMP_EVENTS or index >= count:
            raise _bad(f"batch index {index} of {count} events")
        if path_len != inclusion_proof_size(index, count):
            raise _bad(f"a path of {path_len} hashes for event {index} of {count}")
        batch = BatchPosition(index, count, path)
    if pos != len(data):
        raise _bad("trailing bytes")
    if not name or not is_valid_key_name(name):
        raise _bad("stamp key name must be a valid key name of 1..255 bytes")
    if not payload:
        raise _bad("signature payload must be 1..65535 bytes")
    return Stamp(name.decode("utf-8"), key_id, payload, batch)


def verify_stamp(origin, event_bytes, stamp_bytes, submitters):
    """The submitter key (of `submitters`, vkeys or VerifierKeys) whose stamp
    verifies. Reasons missing_stamp, malformed_stamp, unknown_submitter, bad_stamp."""
    if not stamp_bytes:
        raise VerificationError("missing_stamp", "the event is not stamped")
    stamp = decode_stamp(stamp_bytes)
    if stamp.batch is None:
        text = stamp_text(origin, event_bytes)
    else:
        # A changed path, index or count leads to a root the submitter never
        # signed, so the signature check below refuses it (bad_stamp).
        b = stamp.batch
        root = root_from_inclusion_proof(b.index, b.count, leaf_hash(to_bytes(event_bytes)), b.path)
        text = batch_stamp_text(origin, b.count, root)
    keys = [parse_verifier_key(s) for s in submitters]
    known = False
    for v in keys:
        if v.alg not in (ALG_ED25519, ALG_ECDSA, ALG_PRIVATE):
            continue
        if v.name != stamp.key_name or v.key_id != stamp.key_id:
            continue
        known = True
        if not v.verify(text, stamp.payload):
            continue
        if v.alg == ALG_ECDSA and not p256_low_s(stamp.payload):
            continue
        return v
    if not known:
        raise VerificationError("unknown_submitter", f"no known submitter key {stamp.key_name[:64]}")
    raise VerificationError("bad_stamp", f"stamp by {stamp.key_name} does not verify")


def stamped_by_log_key(leaf, log_key):
    """ownership.h StampedByLogKey: the leaf's stamp verifies with the log key."""
    try:
        verify_stamp(log_key.name, leaf.event, leaf.stamp, [log_key])
        return True
    except (MalformedError, VerificationError):
        return False
