"""C2SP tlog-checkpoint and cosigned-checkpoint verification with a witness
policy, as ledger/core/note/src/checkpoint.cc (schemas/formats/checkpoint.md §4)."""
from ._util import b64decode, b64encode, parse_decimal_u64, to_bytes
from .errors import MalformedError, VerificationError
from .note import (
    ALG_COSIGNATURE_V1,
    open_note,
    parse_note,
    parse_verifier_key,
    validate_text,
)


class Checkpoint:
    __slots__ = ("origin", "size", "root", "extensions")

    def __init__(self, origin, size, root, extensions):
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions

    def __repr__(self):
        return f"Checkpoint({self.origin!r}, size={self.size}, root={b64encode(self.root)})"


def _malformed(message):
    return MalformedError("malformed_checkpoint", message)


def validate_origin(origin):
    data = to_bytes(origin)
    if not 1 <= len(data) <= 255:
        raise MalformedError("invalid_origin", "origin must be 1 to 255 bytes")
    if any(c < 0x21 or c > 0x7E or c == 0x2B for c in data):
        raise MalformedError("invalid_origin", "origin must be printable ASCII without spaces or '+'")


def parse_checkpoint_text(text):
    """origin, size, base64 root, optional non-empty extension lines."""
    text = to_bytes(text)
    try:
        validate_text(text)
    except MalformedError as e:
        raise _malformed(e.message) from None
    lines = text[:-1].split(b"\n")
    if len(lines) < 3:
        raise _malformed("fewer than three lines")
    validate_origin(lines[0])
    size = parse_decimal_u64(lines[1])
    if size is None:
        raise _malformed("tree size is not a canonical decimal")
    root = b64decode(lines[2])
    if root is None or len(root) != 32:
        raise _malformed("root must be the canonical base64 of 32 bytes")
    extensions = []
    for line in lines[3:]:
        if not line:
            raise _malformed("empty extension line")
        extensions.append(line.decode("utf-8"))
    return Checkpoint(lines[0].decode("ascii"), size, root, extensions)


class Cosignature:
    __slots__ = ("witness", "timestamp")

    def __init__(self, witness, timestamp):
        self.witness = witness
        self.timestamp = timestamp

    def __repr__(self):
        return f"Cosignature({self.witness!r}, {self.timestamp})"


class VerifiedCheckpoint:
    """A checkpoint whose log signature and witness quorum checked."""

    __slots__ = ("checkpoint", "note", "cosignatures")

    def __init__(self, checkpoint, note, cosignatures):
        self.checkpoint = checkpoint
        self.note = note
        self.cosignatures = cosignatures


class WitnessPolicy:
    """The witness keys (C2SP vkeys, cosignature/v1) and the number K of them
    that must have cosigned, as the deployment's manifest or pins state them.

    ``quorum`` defaults to every key. Raises MalformedError('bad_witness_policy')
    when a key does not parse or K exceeds the number of keys. A policy with
    K = 0 is a deployment without witnesses; pass ``allow_unwitnessed=True`` to
    the verifiers instead to waive the count for a deployment that has them
    (the keys stay: a failing cosignature of a pinned witness still rejects).
    """

    def __init__(self, witnesses=(), quorum=None):
        keys = []
        for w in witnesses:
            try:
                keys.append(parse_verifier_key(w))
            except MalformedError as e:
                raise MalformedError("bad_witness_policy", f"witness key {w}: {e.message}") from None
        if quorum is None:
            quorum = len(keys)
        if not isinstance(quorum, int) or isinstance(quorum, bool) or quorum < 0:
            raise MalformedError("bad_witness_policy", "the quorum is a count")
        if quorum > len(keys):
            raise MalformedError(
                "bad_witness_policy",
                f"the witness quorum {quorum} exceeds the {len(keys)} witness keys")
        self.keys = keys
        self.quorum = quorum

    @classmethod
    def from_pins(cls, pins):
        """A deployment's pins.json object: witness_vkeys and witness_quorum."""
        if not isinstance(pins, dict) or not isinstance(pins.get("witness_vkeys"), list):
            raise MalformedError("bad_pins", "witness_vkeys (array) and witness_quorum (number) are required")
        q = pins.get("witness_quorum")
        if not isinstance(q, int) or isinstance(q, bool) or q < 0:
            raise MalformedError("bad_pins", "witness_quorum must be a count")
        if not all(isinstance(v, str) for v in pins["witness_vkeys"]):
            raise MalformedError("bad_pins", "witness_vkeys holds strings")
        return cls(pins["witness_vkeys"], q)

    def waived(self):
        """The same keys with K = 0 (allow_unwitnessed)."""
        p = WitnessPolicy.__new__(WitnessPolicy)
        p.keys = list(self.keys)
        p.quorum = 0
        return p


def resolve_policy(witnesses, allow_unwitnessed):
    """What every verifier applies: the pinned policy, K waived with
    allow_unwitnessed, and nothing pinned refused (witness_pins_missing)."""
    if witnesses is None:
        if not allow_unwitnessed:
            raise MalformedError(
                "witness_pins_missing",
                "a checkpoint is trusted only with the witness quorum: pass the deployment's "
                "WitnessPolicy, or allow_unwitnessed=True")
        return WitnessPolicy((), 0)
    if not isinstance(witnesses, WitnessPolicy):
        raise MalformedError("bad_witness_policy", "witnesses must be a WitnessPolicy")
    return witnesses.waived() if allow_unwitnessed else witnesses


def _public_key_of(v):
    return v.material


def verify_checkpoint_with_keys(note_text, log_key, witnesses=(), quorum=0):
    """ledger::VerifyCheckpoint: parse, origin equals the log key's name
    (origin_mismatch), open with the log and witness keys (bad_signature,
    unverified_note), count witnesses once by name and by public key
    (witness_quorum_not_met)."""
    data = to_bytes(note_text)
    parsed = parse_note(data)
    checkpoint = parse_checkpoint_text(parsed.text)
    if log_key.name != checkpoint.origin:
        raise VerificationError(
            "origin_mismatch", f"checkpoint origin {checkpoint.origin} is not the log key's name")
    known = [log_key]
    for w in witnesses:
        if w is not None and w is not log_key and not any(k is w for k in known):
            known.append(w)
    verified = open_note(parsed, known)
    if not any(v is log_key for v in verified):
        raise VerificationError("unverified_note", "no signature from the log key")
    cosignatures = []
    counted_keys = []
    for sig in parsed.signatures:
        if sig.name == log_key.name:
            continue
        for w in known:
            if w.name != sig.name or w.key_id != sig.key_id:
                continue
            pk = _public_key_of(w)
            if any(c.witness == w.name for c in cosignatures) or pk in counted_keys:
                continue
            counted_keys.append(pk)
            timestamp = 0
            if w.alg == ALG_COSIGNATURE_V1:
                timestamp = int.from_bytes(sig.payload[:8], "big")
            cosignatures.append(Cosignature(w.name, timestamp))
    if len(cosignatures) < quorum:
        raise VerificationError(
            "witness_quorum_not_met",
            f"{len(cosignatures)} of {quorum} required witnesses cosigned")
    return VerifiedCheckpoint(checkpoint, data, cosignatures)


def verify_checkpoint(note_text, log_key, witnesses=None, allow_unwitnessed=False):
    """Verifies a cosigned checkpoint with the pinned log key (a vkey string or
    VerifierKey) and the deployment's WitnessPolicy (required unless
    allow_unwitnessed=True)."""
    log_key = parse_verifier_key(log_key)
    policy = resolve_policy(witnesses, allow_unwitnessed)
    return verify_checkpoint_with_keys(note_text, log_key, policy.keys, policy.quorum)
