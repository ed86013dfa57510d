"""Offline verification of an audit ledger's answers with pinned keys only.

    from auditledger_verify import LedgerVerifier, WitnessPolicy
    v = LedgerVerifier(log_vkey, witnesses=WitnessPolicy(witness_vkeys, quorum=2),
                       attestation_root=root_pem, pcr0=pcr0_hex)
    state = v.verify_state(answer_json, subject="svc/db/main", expect_state=my_digest)

Every failure is a LedgerError (MalformedError or VerificationError) whose
``reason`` is the stable reason string of the C++ verifiers.
"""
from .answers import (
    LedgerVerifier,
    Receipt,
    StateProof,
    VerifiedReceipt,
    VerifiedState,
    parse_receipt,
    parse_state_answer,
    verify_state_proof_with_keys,
)
from .attestation import parse_attestation, verify_attestation
from .checkpoint import (
    Checkpoint,
    Cosignature,
    VerifiedCheckpoint,
    WitnessPolicy,
    parse_checkpoint_text,
    verify_checkpoint,
    verify_checkpoint_with_keys,
)
from .client import ExplorerClient, LedgerClient
from .errors import (
    LedgerError,
    MalformedError,
    PreconditionError,
    TransportError,
    VerificationError,
)
from .event import Event, decode_event
from .evidence import CodePins, parse_notary_evidence, verify_app_proof, verify_notary_evidence
from .leaf import Leaf, check_recorded_at, decode_leaf, quorum_time
from .merkle import leaf_hash, verify_consistency, verify_inclusion
from .note import parse_note, parse_verifier_key
from .stamp import decode_stamp, verify_stamp
from .statemap import decode_proof as decode_map_proof
from .tlog_proof import parse_tlog_proof

__version__ = "0.1.0"

__all__ = [
    "Checkpoint", "CodePins", "Cosignature", "Event", "ExplorerClient", "Leaf", "LedgerClient",
    "LedgerError", "LedgerVerifier", "MalformedError", "PreconditionError", "Receipt", "StateProof",
    "TransportError", "VerificationError", "VerifiedCheckpoint", "VerifiedReceipt", "VerifiedState",
    "WitnessPolicy", "check_recorded_at", "decode_event", "decode_leaf", "decode_map_proof",
    "decode_stamp", "leaf_hash", "parse_attestation", "parse_checkpoint_text", "parse_note",
    "parse_notary_evidence", "parse_receipt", "parse_state_answer", "parse_tlog_proof",
    "parse_verifier_key", "quorum_time", "verify_app_proof", "verify_attestation",
    "verify_checkpoint", "verify_checkpoint_with_keys", "verify_consistency", "verify_inclusion",
    "verify_notary_evidence", "verify_stamp", "verify_state_proof_with_keys",
]
