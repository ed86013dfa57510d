"""The notary evidence of receipts and state answers (receipt.md §4,
app-proof.md), as ledger/codec/src/notary_evidence_json.cc,
notary-enclave/src/app_proof.cc and ledger/cli/src/notary_evidence_check.cc."""
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ._util import b64decode, is_u64, parse_hex, sha256, to_bytes
from .attestation import root_der_of, verify_attestation
from .checkpoint import parse_checkpoint_text, validate_origin, verify_checkpoint_with_keys
from .errors import LedgerError, MalformedError, VerificationError
from .event import decode_event
from .leaf import decode_leaf
from .merkle import leaf_hash, verify_consistency, verify_inclusion
from .note import parse_note
from .stamp import stamped_by_log_key

APP_PROOF_SCHEME = "audit-ledger/app-proof/v1"


class NotaryEvidence:
    def __init__(self):
        self.pcr0 = b""
        self.batch_checkpoint = b""
        self.first_index = 0
        self.count = 0
        self.batch_consistency = []
        self.app_proof_payload = b""
        self.app_proof_signature = b""
        self.app_proof_public_key = b""
        self.boot_index = 0
        self.boot_leaf = b""
        self.boot_inclusion = []
        self.attestation = b""


def _malformed(message):
    return MalformedError("malformed_notary_evidence", "notary evidence: " + message)


def _members(j, where, names):
    if not isinstance(j, dict):
        raise _malformed(f"{where} is not an object")
    for k in j:
        if k not in names:
            raise _malformed(f"unknown field {where}.{k[:64]}")
    for n in names:
        if n not in j:
            raise _malformed(f"{where}.{n} missing")


def _str(j, name):
    if not isinstance(j[name], str):
        raise _malformed(f"{name} is not a string")
    return j[name]


def _u64(j, name):
    if not is_u64(j[name]):
        raise _malformed(f"{name} is not a count")
    return j[name]


def _b64(j, name):
    out = b64decode(_str(j, name))
    if not out:
        raise _malformed(f"{name} is not base64")
    return out


def _hashes(j, name):
    a = j[name]
    if not isinstance(a, list) or len(a) > 64:
        raise _malformed(f"{name} is not a proof")
    out = []
    for h in a:
        if not isinstance(h, str):
            raise _malformed(f"{name} holds a non-string")
        d = b64decode(h)
        if d is None or len(d) != 32:
            raise _malformed(f"{name} holds a bad hash")
        out.append(d)
    return out


def parse_notary_evidence(j):
    """The "notary" member. MalformedError('malformed_notary_evidence')."""
    _members(j, "notary", ("pcr0", "batch", "app_proof", "boot"))
    e = NotaryEvidence()
    pcr = parse_hex(_str(j, "pcr0"))
    if pcr is None:
        raise _malformed("pcr0 is not hex")
    e.pcr0 = pcr
    batch = j["batch"]
    _members(batch, "batch", ("checkpoint", "first_index", "count", "consistency_proof"))
    e.batch_checkpoint = to_bytes(_str(batch, "checkpoint"))
    e.first_index = _u64(batch, "first_index")
    e.count = _u64(batch, "count")
    e.batch_consistency = _hashes(batch, "consistency_proof")
    proof = j["app_proof"]
    _members(proof, "app_proof", ("payload", "signature", "public_key"))
    e.app_proof_payload = to_bytes(_str(proof, "payload"))
    e.app_proof_signature = _b64(proof, "signature")
    e.app_proof_public_key = _b64(proof, "public_key")
    boot = j["boot"]
    _members(boot, "boot", ("index", "leaf", "inclusion_proof", "attestation"))
    e.boot_index = _u64(boot, "index")
    e.boot_leaf = _b64(boot, "leaf")
    e.boot_inclusion = _hashes(boot, "inclusion_proof")
    e.attestation = _b64(boot, "attestation")
    return e


def app_proof_payload(origin, size, root, first_index, count, checkpoint_digest):
    validate_origin(origin)
    escaped = "".join("\\" + c if c in '"\\' else c for c in origin)
    return (f'{{"scheme":"{APP_PROOF_SCHEME}","origin":"{escaped}","size":{size},'
            f'"root":"{root.hex()}","first_index":{first_index},"count":{count},'
            f'"checkpoint_digest":"{checkpoint_digest.hex()}"}}').encode("ascii")


def verify_app_proof(checkpoint_note, first_index, count, payload, signature, public_key):
    """notary::VerifyAppProof: the payload recomputed from the checkpoint and
    range (app_proof_mismatch), signed by the P-256 key (bad_public_key,
    bad_signature)."""
    note = parse_note(checkpoint_note)
    cp = parse_checkpoint_text(note.text)
    expected = app_proof_payload(cp.origin, cp.size, cp.root, first_index, count,
                                 sha256(to_bytes(checkpoint_note)))
    if bytes(payload) != expected:
        raise VerificationError("app_proof_mismatch",
                                "the payload is not the one for this checkpoint and batch")
    if len(public_key) != 65 or public_key[0] != 0x04:
        raise MalformedError("bad_public_key", "P-256 public key must be 65 bytes, SEC1 uncompressed")
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes(public_key))
    except ValueError:
        raise MalformedError("bad_public_key", "not a point on P-256") from None
    if len(signature) != 64:
        raise VerificationError("bad_signature", "ECDSA P-256 signature does not verify")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), bytes(payload), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise VerificationError("bad_signature", "ECDSA P-256 signature does not verify") from None


class CodePins:
    """The attestation root (DER or PEM) and the PCR0 (hex or bytes) that must
    stand behind an answer: the measured notary code."""

    def __init__(self, root, pcr0):
        self.root_der = root_der_of(root)
        if isinstance(pcr0, str):
            pcr = parse_hex(pcr0)
        else:
            pcr = bytes(pcr0)
        if pcr is None or len(pcr) not in (32, 48, 64):
            raise MalformedError("bad_pcr0", "the PCR0 pin is 32, 48 or 64 bytes in hex")
        self.pcr0 = pcr


def make_code_pins(attestation_root=None, pcr0=None):
    if attestation_root is None and pcr0 is None:
        return None
    if attestation_root is None:
        raise MalformedError("attestation_root_missing", "pcr0 needs attestation_root, the root it chains to")
    if pcr0 is None:
        raise MalformedError("pcr0_pin_missing", "attestation_root needs pcr0")
    return CodePins(attestation_root, pcr0)


def _fail(reason, message):
    return VerificationError(reason, message)


def verify_notary_evidence(e, index, answer, log_key, pins):
    """The chain from entry `index` of an answer whose checkpoint `answer` was
    verified, to the pinned attestation root and PCR0."""
    if e.count == 0 or index < e.first_index or index - e.first_index >= e.count:
        raise _fail("app_proof_wrong_batch",
                    f"the app proof covers entries {e.first_index} to {e.first_index + e.count}, not entry {index}")
    batch = verify_checkpoint_with_keys(e.batch_checkpoint, log_key).checkpoint
    if batch.origin != answer.origin or batch.size != e.first_index + e.count:
        raise _fail("batch_checkpoint_mismatch", "the batch checkpoint is not of this log at the batch's end")
    if batch.size > answer.size:
        raise _fail("app_proof_wrong_batch", "the batch ends after the answer's checkpoint")
    if batch.size == answer.size:
        prefix = batch.root == answer.root
    else:
        try:
            verify_consistency(batch.size, answer.size, e.batch_consistency, batch.root, answer.root)
            prefix = True
        except LedgerError:
            prefix = False
    if not prefix:
        raise _fail("batch_not_in_answer", "the batch's tree is not a prefix of the answer's tree")
    verify_app_proof(e.batch_checkpoint, e.first_index, e.count, e.app_proof_payload,
                     e.app_proof_signature, e.app_proof_public_key)
    if e.boot_index > e.first_index:
        raise _fail("boot_entry_invalid", "the boot entry comes after the batch it would have signed")
    try:
        verify_inclusion(e.boot_index, answer.size, leaf_hash(e.boot_leaf), e.boot_inclusion, answer.root)
    except LedgerError:
        raise _fail("boot_entry_not_in_answer",
                    f"the boot entry is not entry {e.boot_index} of the answer's tree") from None
    try:
        leaf = decode_leaf(e.boot_leaf)
        event = decode_event(leaf.event)
        ok = event.kind_name == "ENCLAVE_BOOTED" and stamped_by_log_key(leaf, log_key)
    except LedgerError:
        ok = False
    if not ok:
        raise _fail("boot_entry_invalid", f"entry {e.boot_index} is not an ENCLAVE_BOOTED entry of the log key")
    key = event.attribute("ephemeral_public_key")
    if key is None or key != e.app_proof_public_key.hex():
        raise _fail("app_proof_other_boot",
                    f"the app proof is signed by a key that boot entry {e.boot_index} does not record")
    if event.payload_digest is None or sha256(e.attestation) != event.payload_digest:
        raise _fail("attestation_mismatch",
                    f"the attestation document is not boot entry {e.boot_index}'s payload")
    digest_hex = event.attribute("manifest_digest")
    digest = parse_hex(digest_hex) if digest_hex is not None else b""
    if digest is None or len(digest) != 32:
        raise _fail("boot_entry_invalid", "the boot entry records no manifest digest")
    verified = verify_attestation(e.attestation, pins.root_der, expected_pcrs={0: pins.pcr0},
                                  expected_user_data=digest)
    if verified.public_key != e.app_proof_public_key:
        raise _fail("public_key_mismatch", "the document attests another key than the app proof's")


def check_code(pins, evidence, index, answer, log_key):
    """Nothing without pins; with them the evidence is required
    (notary_evidence_missing) and checked."""
    if pins is None:
        return False
    if evidence is None:
        raise VerificationError("notary_evidence_missing",
                                "the code is pinned, and the answer carries no notary evidence to check it with")
    verify_notary_evidence(evidence, index, answer, log_key, pins)
    return True
