#!/usr/bin/env python3
"""Regenerates policy-example.json (schemas/formats/policy.md §6).

Independent of ledger::core: written from policy.md with hashlib and
python-cryptography. It takes the manifest (its digest and operator keys)
from manifest-example.json. Deterministic except for the ECDSA approvals
(randomized signatures, which the C++ tests verify rather than reproduce).
Usage: python3 policy_examples.py
"""
import base64, hashlib, json, os, struct
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives import hashes, serialization

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = {"KEY_CREATED": 1, "KEY_ROTATED": 3, "KEY_RETIRED": 5, "SIGNATURE_PRODUCED": 7,
         "SIGNATURE_REJECTED": 8, "STATE_NOTARIZED": 9}


def vkey(name, seed):  # C2SP signed-note Ed25519 verifier key
    pk = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pk).digest()[:4]
    b64 = base64.b64encode(b"\x01" + pk).decode()
    return f"{name}+{kid.hex()}+{b64}"


def str8(s):
    return bytes([len(s)]) + s


def str16(s):
    return struct.pack(">H", len(s)) + s


def policy_example():
    with open(os.path.join(HERE, "manifest-example.json")) as f:
        manifest = json.load(f)
    manifest_digest = bytes.fromhex(manifest["digest_hex"])
    # Listed out of order on purpose: the encoding sorts names, kinds and subjects.
    submitters = [
        {"name": "kms-api", "verifier_key": vkey("kms-api", hashlib.sha256(b"submitter kms-api v2").digest()),
         "kinds": ["SIGNATURE_PRODUCED", "KEY_CREATED", "KEY_RETIRED"], "subjects": ["key/", "kms/"]},
        {"name": "billing", "verifier_key": vkey("billing", hashlib.sha256(b"submitter billing").digest()),
         "kinds": ["STATE_NOTARIZED"], "subjects": ["billing/"]},
    ]
    version = 1
    enc = b"audit-ledger/policy\n" + b"\x01" + struct.pack(">Q", version)
    enc += bytes([len(submitters)])
    for s in sorted(submitters, key=lambda s: s["name"].encode()):
        kinds = sorted(KINDS[k] for k in s["kinds"])
        enc += str8(s["name"].encode()) + str16(s["verifier_key"].encode())
        enc += bytes([len(kinds)]) + b"".join(struct.pack(">H", k) for k in kinds)
        subjects = sorted(p.encode() for p in s["subjects"])
        enc += bytes([len(subjects)]) + b"".join(str8(p) for p in subjects)
    digest = hashlib.sha256(enc).digest()
    message = b"audit-ledger/policy-approval/v1\n" + manifest_digest + digest
    approvals = {}
    for op in manifest["operators"]:
        if op["name"] not in ("alice", "carol"):
            continue
        key = ec.derive_private_key(int.from_bytes(bytes.fromhex(op["scalar_hex"]), "big"),
                                    ec.SECP256R1())
        r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        approvals[op["name"]] = (b"\x01" + digest + str8(op["name"].encode()) + sig).hex()
    return {
        "description": "policy.md §6: version 1 of the policy of manifest-example.json, approved by alice and carol",
        "manifest_digest_hex": manifest_digest.hex(),
        "version": version,
        "submitters": submitters,
        "encoding_hex": enc.hex(),
        "digest_hex": digest.hex(),
        "extension_line": f"policy {version} {digest.hex()}",
        "approval_message_hex": message.hex(),
        "approvals_hex": approvals,
    }


if __name__ == "__main__":
    with open(os.path.join(HERE, "policy-example.json"), "w") as f:
        json.dump(policy_example(), f, indent=2, ensure_ascii=False)
        f.write("\n")
