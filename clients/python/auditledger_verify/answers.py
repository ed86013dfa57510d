"""Receipts and state answers as ledgerd and the explorer serve them, verified
as `ledgerctl verify inclusion` and `ledgerctl verify-state` do."""
from ._util import b64decode, is_u64, parse_hex, parse_json_strict, to_bytes
from .checkpoint import resolve_policy, verify_checkpoint_with_keys
from .errors import MalformedError, PreconditionError, VerificationError
from .event import KIND_NAMES, decode_event
from .evidence import check_code, make_code_pins, parse_notary_evidence
from .leaf import check_recorded_at, decode_leaf
from .merkle import leaf_hash as rfc9162_leaf_hash
from .merkle import verify_consistency, verify_inclusion
from .note import parse_verifier_key
from .stamp import decode_stamp
from .statemap import EMPTY, decode_proof, find_root, key_of, verify_proof
from .tlog_proof import parse_tlog_proof, verify_tlog_proof_with_keys

MAX_RECEIPT_SIZE = 4 << 20
MAX_STATE_ANSWER_SIZE = 1 << 20


def _bytes32(value):
    """32 bytes from a bytes-like value, else None."""
    try:
        b = bytes(value)
    except (TypeError, ValueError):
        return None
    return b if len(b) == 32 else None


class Receipt:
    __slots__ = ("proof", "notary")

    def __init__(self, proof, notary):
        self.proof = proof
        self.notary = notary


def parse_receipt(text):
    """A tlog-proof text, or ledgerd's receipt JSON (tlog_proof and notary,
    possibly under "receipt"). MalformedError('malformed_receipt') and the
    tlog-proof's and evidence's reasons."""
    if isinstance(text, dict):
        j = text
    else:
        data = to_bytes(text)
        stripped = data.lstrip(b" \t\r\n")
        if not stripped.startswith(b"{"):
            return Receipt(parse_tlog_proof(data), None)
        j = parse_json_strict(data, MAX_RECEIPT_SIZE)
    if isinstance(j, dict) and "receipt" in j:
        j = j["receipt"]
    if not isinstance(j, dict) or not isinstance(j.get("tlog_proof"), str):
        raise MalformedError("malformed_receipt", "receipt JSON: no tlog_proof")
    proof = parse_tlog_proof(j["tlog_proof"])
    notary = None
    if j.get("notary") is not None:
        notary = parse_notary_evidence(j["notary"])
    return Receipt(proof, notary)


class VerifiedReceipt:
    def __init__(self, index, leaf_hash, leaf, checkpoint, cosignatures, code_checked, notary):
        self.index = index
        self.leaf_hash = leaf_hash
        self.leaf = leaf                  # decoded Leaf when the receipt carries it, else None
        self.event = decode_event(leaf.event) if leaf is not None else None
        self.checkpoint = checkpoint
        self.cosignatures = cosignatures
        self.code_checked = code_checked  # True when the notary evidence checked against the pins
        self.boot_index = notary.boot_index if code_checked else None


class StateProof:
    __slots__ = ("subject", "checkpoint_note", "map_proof", "leaf", "inclusion_proof", "notary")

    def __init__(self):
        self.subject = ""
        self.checkpoint_note = b""
        self.map_proof = None
        self.leaf = b""
        self.inclusion_proof = []
        self.notary = None


def _bad_state(message):
    return MalformedError("malformed_state_answer", "state answer: " + message)


def parse_state_answer(text):
    """ledger/codec StateProofFromJson plus the "notary" member."""
    j = text if isinstance(text, dict) else parse_json_strict(text, MAX_STATE_ANSWER_SIZE)
    if not isinstance(j, dict):
        raise _bad_state("not an object")
    for k in j:
        if k not in ("subject", "checkpoint", "map_proof", "entry", "state", "notary"):
            raise _bad_state("unknown field " + k)

    def s(o, name):
        if not isinstance(o.get(name), str):
            raise _bad_state(name + " missing")
        return o[name]

    p = StateProof()
    p.subject = s(j, "subject")
    p.checkpoint_note = to_bytes(s(j, "checkpoint"))
    raw = b64decode(s(j, "map_proof"))
    if raw is None:
        raise _bad_state("map_proof is not base64")
    p.map_proof = decode_proof(raw)
    if "entry" not in j:
        raise _bad_state("entry missing")
    e = j["entry"]
    if e is not None:
        if not isinstance(e, dict):
            raise _bad_state("entry is not an object")
        for k in e:
            if k not in ("index", "leaf", "inclusion_proof"):
                raise _bad_state("unknown entry field " + k)
        if not is_u64(e.get("index")):
            raise _bad_state("entry.index")
        leaf = b64decode(s(e, "leaf"))
        if not leaf:
            raise _bad_state("entry.leaf is not base64")
        p.leaf = leaf
        try:
            decoded = decode_leaf(leaf)
        except MalformedError:
            decoded = None
        if decoded is None or decoded.index != e["index"]:
            raise _bad_state("entry.index is not the leaf's")
        proof = e.get("inclusion_proof")
        if not isinstance(proof, list) or len(proof) > 64:
            raise _bad_state("entry.inclusion_proof")
        for h in proof:
            if not isinstance(h, str):
                raise _bad_state("entry.inclusion_proof")
            d = b64decode(h)
            if d is None or len(d) != 32:
                raise _bad_state("entry.inclusion_proof hash")
            p.inclusion_proof.append(d)
    if j.get("notary") is not None:
        p.notary = parse_notary_evidence(j["notary"])
    return p


class VerifiedState:
    """A verified state answer. ``present`` says whether any entry names the
    subject; then ``index``, ``version`` and ``state_hash`` (None when no entry
    carried a state) are the map's, ``leaf``/``event`` the latest entry, and
    ``set_by_kind``/``set_by_stamper`` who set the state when that entry did."""

    def __init__(self):
        self.subject = ""
        self.checkpoint = None
        self.cosignatures = []
        self.present = False
        self.index = None
        self.version = None
        self.state_hash = None
        self.leaf = None
        self.event = None
        self.set_by_kind = None
        self.set_by_stamper = None
        self.code_checked = False
        self.boot_index = None

    @property
    def tree_size(self):
        return self.checkpoint.size


def _entry_mismatch(message):
    return VerificationError("state_entry_mismatch", message)


def verify_state_proof_with_keys(p, log_key, witness_keys, quorum):
    """ledger::state_map::VerifyStateProof."""
    vc = verify_checkpoint_with_keys(p.checkpoint_note, log_key, witness_keys, quorum)
    out = VerifiedState()
    out.subject = p.subject
    out.checkpoint = vc.checkpoint
    out.cosignatures = vc.cosignatures
    root = find_root(out.checkpoint.extensions)
    if root is None:
        raise PreconditionError("map_root_missing", "the checkpoint does not commit to a state map")
    value = verify_proof(root, key_of(p.subject), p.map_proof)
    if value is None:
        if p.leaf or p.inclusion_proof:
            raise _entry_mismatch("an entry is given for a subject the map proves absent")
        return out
    out.present = True
    out.index, out.version = value.index, value.version
    out.state_hash = None if value.state == EMPTY else value.state
    if not p.leaf:
        raise _entry_mismatch("the map records an entry but none is given")
    if value.index >= out.checkpoint.size:
        raise _entry_mismatch("the map records an index beyond the checkpoint")
    verify_inclusion(value.index, out.checkpoint.size, rfc9162_leaf_hash(p.leaf), p.inclusion_proof,
                     out.checkpoint.root)
    leaf = decode_leaf(p.leaf)
    event = decode_event(leaf.event)
    if leaf.index != value.index:
        raise _entry_mismatch("leaf index is not the map's")
    if event.subject != p.subject:
        raise _entry_mismatch("the entry names another subject")
    if event.new_state_hash is not None and event.new_state_hash != value.state:
        raise _entry_mismatch("the entry's new state hash is not the recorded state")
    if event.new_state_hash is not None:
        out.set_by_kind = event.kind_name
        out.set_by_stamper = decode_stamp(leaf.stamp).key_name if leaf.stamp else ""
    out.leaf = leaf
    out.event = event
    return out


class LedgerVerifier:
    """Everything a relying party pins, and the checks made with it.

    log_vkey: the log's C2SP verifier key (name = origin).
    witnesses: the deployment's WitnessPolicy; required unless allow_unwitnessed.
    attestation_root, pcr0: the measured code that must stand behind answers
    (both or neither); with them every answer must carry notary evidence.
    """

    def __init__(self, log_vkey, witnesses=None, allow_unwitnessed=False,
                 attestation_root=None, pcr0=None):
        self.log_key = parse_verifier_key(log_vkey)
        self.policy = resolve_policy(witnesses, allow_unwitnessed)
        self.pins = make_code_pins(attestation_root, pcr0)

    def verify_checkpoint(self, note):
        return verify_checkpoint_with_keys(note, self.log_key, self.policy.keys, self.policy.quorum)

    def verify_consistency(self, old_note, new_note, proof):
        """Both checkpoints verified with the pins (`ledgerctl verify
        consistency`), and the RFC 9162 proof (32-byte hashes, or base64)
        between them. Returns the two VerifiedCheckpoints."""
        old = self.verify_checkpoint(old_note)
        new = self.verify_checkpoint(new_note)
        hashes = []
        for h in proof:
            d = b64decode(h) if isinstance(h, str) else bytes(h)
            if d is None or len(d) != 32:
                raise MalformedError("malformed_proof", "a consistency proof holds 32-byte hashes")
            hashes.append(d)
        verify_consistency(old.checkpoint.size, new.checkpoint.size, hashes, old.checkpoint.root,
                           new.checkpoint.root)
        return old, new

    def verify_receipt(self, receipt, leaf_hash=None):
        """A tlog-proof text or receipt JSON (str, bytes or parsed dict)."""
        r = receipt if isinstance(receipt, Receipt) else parse_receipt(receipt)
        proof = r.proof
        if leaf_hash is not None:
            leaf_hash = parse_hex(leaf_hash, 32) if isinstance(leaf_hash, str) else _bytes32(leaf_hash)
            if leaf_hash is None:
                raise MalformedError("bad_hash", "leaf_hash is 32 bytes (64 hex digits)")
            if proof.extra is not None and rfc9162_leaf_hash(proof.extra) != leaf_hash:
                raise VerificationError("leaf_mismatch", "the receipt's leaf does not hash to leaf_hash")
        elif proof.extra is not None:
            leaf_hash = rfc9162_leaf_hash(proof.extra)
        else:
            raise MalformedError("missing_leaf", "the receipt carries no leaf: pass leaf_hash")
        vc = verify_tlog_proof_with_keys(proof, leaf_hash, self.log_key, self.policy.keys, self.policy.quorum)
        leaf = None
        if proof.extra is not None:
            leaf = decode_leaf(proof.extra)
            check_recorded_at(leaf.recorded_at_us, vc.cosignatures, self.policy.quorum)
        code = check_code(self.pins, r.notary, proof.index, vc.checkpoint, self.log_key)
        return VerifiedReceipt(proof.index, leaf_hash, leaf, vc.checkpoint, vc.cosignatures, code, r.notary)

    def verify_state(self, answer, subject=None, expect_state=None, min_size=0, stamper=None, kind=None):
        """A state answer (GET /v1/state/{subject}), as `ledgerctl verify-state`.

        subject: the subject asked about (subject_mismatch otherwise).
        expect_state: the state hash (hex or 32 bytes) the caller holds; anything
        but the latest notarized state is state_not_latest.
        min_size: the newest tree size the caller has seen (stale_checkpoint).
        stamper, kind: who must have set the state (state_setter_mismatch,
        state_setter_unknown).
        """
        if not is_u64(min_size):
            raise MalformedError("bad_min_size", "min_size is a tree size")
        p = answer if isinstance(answer, StateProof) else parse_state_answer(answer)
        if subject is not None and subject != p.subject:
            raise VerificationError("subject_mismatch", "the answer is about " + p.subject)
        v = verify_state_proof_with_keys(p, self.log_key, self.policy.keys, self.policy.quorum)
        if v.leaf is not None:
            check_recorded_at(v.leaf.recorded_at_us, v.cosignatures, self.policy.quorum)
        if v.checkpoint.size < min_size:
            raise VerificationError("stale_checkpoint",
                                    f"the answer is as of size {v.checkpoint.size}, older than {min_size}")
        if expect_state is not None:
            want = parse_hex(expect_state, 32) if isinstance(expect_state, str) else _bytes32(expect_state)
            if want is None:
                raise MalformedError("bad_hash", "expect_state is 32 bytes (64 hex digits)")
            if not v.present or (v.state_hash or EMPTY) != want:
                raise VerificationError("state_not_latest",
                                        f"state {want.hex()} is not the latest notarized state of {p.subject}")
        if stamper is not None or kind is not None:
            if v.set_by_kind is None:
                raise VerificationError("state_setter_unknown", "the latest entry of the subject did not set its state")
            if kind is not None:
                if kind not in KIND_NAMES[1:]:
                    raise MalformedError("unknown_event_kind", f'unknown event kind "{kind[:64]}"')
                if kind != v.set_by_kind:
                    raise VerificationError("state_setter_mismatch", f"the state was set by a {v.set_by_kind} entry")
            if stamper is not None and stamper != v.set_by_stamper:
                raise VerificationError("state_setter_mismatch",
                                        f"the state was set by '{v.set_by_stamper}', not '{stamper}'")
        entry = v.index if v.present else v.checkpoint.size - 1
        v.code_checked = check_code(self.pins, p.notary, entry, v.checkpoint, self.log_key)
        if v.code_checked:
            v.boot_index = p.notary.boot_index
        return v
