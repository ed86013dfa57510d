"""Runs one case of tests/vectors/clients/*.json with the Python package, as
generate.cc's Run() does with the C++ code, and returns the same outcome."""
import base64
import json
import os

import auditledger_verify as alv
from auditledger_verify.checkpoint import Cosignature

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.environ.get("CLIENT_VECTORS") or os.path.join(HERE, "..", "..", "..", "tests", "vectors", "clients")
FILES = ["checkpoint", "merkle", "receipt", "state", "evidence", "leaf", "stamp", "attestation"]


def load(name):
    with open(os.path.join(VECTORS, name + ".json"), encoding="utf-8") as f:
        return json.load(f)["cases"]


def text(v):
    """A text field: a string, or {"base64": ...} for bytes that are not UTF-8."""
    if isinstance(v, dict):
        return base64.b64decode(v["base64"])
    return v


def _policy(c):
    if c["witnesses"] is None:
        return None
    return alv.WitnessPolicy(c["witnesses"], c["quorum"])


def _verifier(c):
    log = alv.parse_verifier_key(c["log_vkey"])
    policy = _policy(c)
    root = c.get("root")
    return alv.LedgerVerifier(log, witnesses=policy, allow_unwitnessed=c.get("allow_unwitnessed", False),
                              attestation_root=base64.b64decode(root) if root is not None else None,
                              pcr0=c.get("pcr0"))


def _cosigs(cs):
    return [[c.witness, c.timestamp] for c in cs]


def run_checkpoint(c):
    log = alv.parse_verifier_key(c["log_vkey"])
    v = alv.verify_checkpoint(text(c["note"]), log, _policy(c), c.get("allow_unwitnessed", False))
    return {"ok": True, "size": v.checkpoint.size, "cosignatures": _cosigs(v.cosignatures)}


def run_merkle(c):
    h = bytes.fromhex
    if c["type"] == "inclusion":
        alv.verify_inclusion(c["index"], c["size"], h(c["leaf_hash"]), [h(x) for x in c["proof"]], h(c["root"]))
    else:
        alv.verify_consistency(c["size1"], c["size2"], [h(x) for x in c["proof"]], h(c["root1"]), h(c["root2"]))
    return {"ok": True}


def run_receipt(c):
    v = _verifier(c).verify_receipt(text(c["receipt"]), leaf_hash=c.get("leaf_hash"))
    return {"ok": True, "index": v.index, "tree_size": v.checkpoint.size,
            "cosignatures": _cosigs(v.cosignatures), "code_checked": v.code_checked}


def run_state(c):
    kw = {k: c[k] for k in ("subject", "expect_state", "min_size", "stamper", "kind") if k in c}
    v = _verifier(c).verify_state(text(c["answer"]), **kw)
    out = {"ok": True, "present": v.present, "tree_size": v.tree_size}
    if v.present:
        out["index"] = v.index
        out["version"] = v.version
        out["state_hash"] = v.state_hash.hex() if v.state_hash is not None else None
        out["set_by"] = ({"kind": v.set_by_kind, "stamper": v.set_by_stamper}
                         if v.set_by_kind is not None else None)
    out["code_checked"] = v.code_checked
    return out


def run_leaf(c):
    if c["type"] == "recorded_at":
        alv.check_recorded_at(c["recorded_at_us"], [Cosignature(w, t) for w, t in c["cosignatures"]], c["quorum"])
        return {"ok": True}
    leaf = alv.decode_leaf(bytes.fromhex(c["leaf"]))
    event = alv.decode_event(leaf.event)
    return {"ok": True, "index": leaf.index, "recorded_at_us": leaf.recorded_at_us,
            "prev_leaf_hash": leaf.prev_leaf_hash.hex(), "kind": event.kind_name,
            "subject": event.subject, "stamp_bytes": len(leaf.stamp)}


def run_stamp(c):
    keys = [alv.parse_verifier_key(k) for k in c["submitters"]]
    who = alv.verify_stamp(c["origin"], bytes.fromhex(c["event"]), bytes.fromhex(c["stamp"]), keys)
    return {"ok": True, "signer": who.vkey()}


def run_attestation(c):
    pcrs = {0: bytes.fromhex(c["pcr0"])} if "pcr0" in c else None
    user_data = bytes.fromhex(c["user_data"]) if "user_data" in c else None
    v = alv.verify_attestation(base64.b64decode(c["document"]), base64.b64decode(c["root"]),
                               expected_pcrs=pcrs, expected_user_data=user_data, at_unix=c.get("at_unix"))
    return {"ok": True, "public_key": v.public_key.hex(), "module_id": v.document.module_id}


RUN = {"checkpoint": run_checkpoint, "merkle": run_merkle, "receipt": run_receipt, "state": run_state,
       "leaf": run_leaf, "stamp": run_stamp, "attestation": run_attestation}


def run(c):
    """The outcome as the vectors state it; only LedgerError is an expected failure."""
    try:
        return RUN[c["check"]](c)
    except alv.LedgerError as e:
        return {"ok": False, "code": e.code, "reason": e.reason}
