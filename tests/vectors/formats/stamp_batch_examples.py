#!/usr/bin/env python3
"""Regenerates stamp-batch-examples.json: the batch stamp (v2) worked example
of schemas/formats/stamp.md §7 and the refusals every verifier must give.

Independent of ledger::core (hashlib and python-cryptography), written from
stamp.md §7 and RFC 9162 §2.1 (the Merkle tree hash and inclusion paths).
Ed25519 is deterministic, so the C++ tests reproduce every byte.
Usage: python3 stamp_batch_examples.py
"""
import base64, hashlib, json, os, struct
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = os.path.dirname(os.path.abspath(__file__))
ORIGIN = "audit.example.com/ledger"
NAME = "svc-kms-frontend"
SEED = bytes(range(32))  # the key of stamp.md §4


def leaf_hash(data):  # RFC 9162 §2.1.1
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """MTH(D[n]) over leaf hashes, by the RFC's recursive definition."""
    n = len(leaves)
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    """PATH(m, D[n]), RFC 9162 §2.1.3.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def batch_text(origin, count, root):  # stamp.md §7.1
    return ("audit-ledger/stamp-batch/v1\n" + origin + "\n" + str(count) + "\n" + root.hex() +
            "\n").encode()


def stamp_v2(key_id, sig, index, count, hashes):  # stamp.md §7.2
    n = NAME.encode()
    return (bytes([2, len(n)]) + n + key_id + struct.pack(">H", len(sig)) + sig +
            struct.pack(">II", index, count) + bytes([len(hashes)]) + b"".join(hashes))


def main():
    key = Ed25519PrivateKey.from_private_bytes(SEED)
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = hashlib.sha256(NAME.encode() + b"\n\x01" + pub).digest()[:4]
    vkey = NAME + "+" + key_id.hex() + "+" + base64.b64encode(b"\x01" + pub).decode()
    # Seven events: not a power of two, so the paths have both shapes.
    events = [("event %d of a request to the ledger" % i).encode() for i in range(7)]
    leaves = [leaf_hash(e) for e in events]
    root = mth(leaves)
    text = batch_text(ORIGIN, len(events), root)
    sig = key.sign(text)
    key.public_key().verify(sig, text)
    stamps = [stamp_v2(key_id, sig, i, len(events), path(i, leaves)) for i in range(len(events))]

    def with_path(i, hashes, index=None, count=None):
        return stamp_v2(key_id, sig, i if index is None else index,
                        len(events) if count is None else count, hashes).hex()

    p2 = path(2, leaves)
    flipped = bytearray(p2[0])
    flipped[0] ^= 1
    refusals = [
        {"why": "a hash of the path changed", "event": 2, "origin": ORIGIN,
         "stamp_hex": with_path(2, [bytes(flipped)] + p2[1:]), "reason": "bad_stamp"},
        {"why": "another index with the same path", "event": 2, "origin": ORIGIN,
         "stamp_hex": with_path(2, p2, index=3), "reason": "bad_stamp"},
        {"why": "another count with a path of the same length", "event": 2, "origin": ORIGIN,
         "stamp_hex": with_path(2, p2, count=8), "reason": "bad_stamp"},
        {"why": "event 1's stamp on event 2", "event": 2, "origin": ORIGIN,
         "stamp_hex": stamps[1].hex(), "reason": "bad_stamp"},
        {"why": "replayed into another log", "event": 2, "origin": "other.example/ledger",
         "stamp_hex": stamps[2].hex(), "reason": "bad_stamp"},
        {"why": "a path one hash short", "event": 2, "origin": ORIGIN,
         "stamp_hex": with_path(2, p2[:-1]), "reason": "malformed_stamp"},
        {"why": "an index not below the count", "event": 2, "origin": ORIGIN,
         "stamp_hex": with_path(2, p2, index=7), "reason": "malformed_stamp"},
        {"why": "a count of zero", "event": 2, "origin": ORIGIN,
         "stamp_hex": with_path(2, [], index=0, count=0), "reason": "malformed_stamp"},
        {"why": "a trailing byte", "event": 2, "origin": ORIGIN,
         "stamp_hex": stamps[2].hex() + "00", "reason": "malformed_stamp"},
        {"why": "truncated inside the path", "event": 2, "origin": ORIGIN,
         "stamp_hex": stamps[2].hex()[:-2], "reason": "malformed_stamp"},
        {"why": "an unknown version", "event": 2, "origin": ORIGIN,
         "stamp_hex": "03" + stamps[2].hex()[2:], "reason": "malformed_stamp"},
    ]
    out = {
        "comment": "stamp.md §7 worked example; made by stamp_batch_examples.py",
        "origin": ORIGIN, "seed_hex": SEED.hex(), "key_name": NAME, "vkey": vkey,
        "events_hex": [e.hex() for e in events],
        "leaf_hashes_hex": [h.hex() for h in leaves],
        "root_hex": root.hex(), "batch_text": text.decode(), "signature_hex": sig.hex(),
        "stamps_hex": [s.hex() for s in stamps],
        "refusals": refusals,
    }
    with open(os.path.join(HERE, "stamp-batch-examples.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
