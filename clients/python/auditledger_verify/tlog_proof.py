"""C2SP tlog-proof receipts, as ledger/core/note/src/tlog_proof.cc (receipt.md)."""
from ._util import b64decode, b64encode, parse_decimal_u64, to_bytes
from .checkpoint import parse_checkpoint_text, verify_checkpoint_with_keys
from .errors import MalformedError
from .merkle import verify_inclusion
from .note import MAX_NOTE_SIZE, parse_note

HEADER = b"c2sp.org/tlog-proof@v1"
MAX_HASHES = 63
MAX_SIZE = 2 * MAX_NOTE_SIZE


class TlogProof:
    __slots__ = ("extra", "index", "inclusion", "checkpoint")

    def __init__(self, extra, index, inclusion, checkpoint):
        self.extra = extra          # bytes or None (absent)
        self.index = index
        self.inclusion = inclusion  # list of 32-byte hashes
        self.checkpoint = checkpoint  # the signed note, bytes as received

    def format(self):
        out = HEADER + b"\n"
        if self.extra is not None:
            out += b"extra " + b64encode(self.extra).encode() + b"\n"
        out += b"index " + str(self.index).encode() + b"\n"
        for h in self.inclusion:
            out += b64encode(h).encode() + b"\n"
        return out + b"\n" + self.checkpoint


def _malformed(message):
    return MalformedError("malformed_tlog_proof", message)


def parse_tlog_proof(text):
    """Strict parse. MalformedError('malformed_tlog_proof') on any defect."""
    data = to_bytes(text)
    if len(data) > MAX_SIZE:
        raise _malformed("proof too large")
    pos = 0

    def next_line():
        nonlocal pos
        nl = data.find(b"\n", pos)
        if nl < 0:
            return None
        line = data[pos:nl]
        pos = nl + 1
        return line

    line = next_line()
    if line is None or line != HEADER:
        raise _malformed("missing header line")
    line = next_line()
    if line is None:
        raise _malformed("missing index line")
    extra = None
    if line.startswith(b"extra "):
        extra = b64decode(line[6:])
        if extra is None:
            raise _malformed("extra is not canonical base64")
        line = next_line()
        if line is None:
            raise _malformed("missing index line")
    if not line.startswith(b"index "):
        raise _malformed("expected the index line")
    index = parse_decimal_u64(line[6:])
    if index is None:
        raise _malformed("index is not a canonical decimal")
    inclusion = []
    while True:
        line = next_line()
        if line is None:
            raise _malformed("missing blank line before the checkpoint")
        if not line:
            break
        if len(inclusion) == MAX_HASHES:
            raise _malformed(f"more than {MAX_HASHES} proof hashes")
        h = b64decode(line)
        if h is None or len(h) != 32:
            raise _malformed("proof line is not the base64 of a 32-byte hash")
        inclusion.append(h)
    rest = data[pos:]
    try:
        note = parse_note(rest)
        parse_checkpoint_text(note.text)
    except MalformedError as e:
        raise _malformed("checkpoint: " + e.message) from None
    return TlogProof(extra, index, inclusion, rest)


def verify_tlog_proof_with_keys(proof, leaf_hash, log_key, witnesses, quorum):
    """Checkpoint first (log key, witnesses), then the inclusion proof."""
    verified = verify_checkpoint_with_keys(proof.checkpoint, log_key, witnesses, quorum)
    verify_inclusion(proof.index, verified.checkpoint.size, leaf_hash, proof.inclusion,
                     verified.checkpoint.root)
    return verified
