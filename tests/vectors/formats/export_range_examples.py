#!/usr/bin/env python3
"""Independent generator of the range-file vector of a filtered export
(schemas/formats/export-bundle.md section 3.1): a tree of 13 leaves
(leaf i = "leaf <i>"), the range [3, 9), RFC 9162 section 2.1 tree hashes
and inclusion proofs written from the RFC's recursive definitions, and the
range file as the spec lays it out (canonical JSON header: sorted keys, no
spaces; then one padded base64 leaf hash per line). Writes
export-range-example.json. Run from this folder: python3 export_range_examples.py
"""
import base64
import hashlib
import json


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(hashes):
    if len(hashes) == 1:
        return hashes[0]
    k = split(len(hashes))
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def path(m, hashes):
    """RFC 9162 2.1.3.1 PATH(m, D[n]), bottom-up."""
    if len(hashes) == 1:
        return []
    k = split(len(hashes))
    if m < k:
        return path(m, hashes[:k]) + [mth(hashes[k:])]
    return path(m - k, hashes[k:]) + [mth(hashes[:k])]


def b64(h):
    return base64.b64encode(h).decode()


N, FIRST, END = 13, 3, 9
leaves = [leaf_hash(("leaf %d" % i).encode()) for i in range(N)]
header = json.dumps({"end": END, "first": FIRST,
                     "left": [b64(h) for h in path(FIRST, leaves)],
                     "right": [b64(h) for h in path(END - 1, leaves)],
                     "tree_size": N}, sort_keys=True, separators=(",", ":"))
text = header + "\n" + "".join(b64(h) + "\n" for h in leaves[FIRST:END])
out = {
    "description": "export-bundle.md 3.1: range file of leaves [3, 9) of a 13-leaf tree "
                   "(leaf i is the bytes 'leaf <i>'); root is the RFC 9162 MTH",
    "root": b64(mth(leaves)),
    "range_file": text,
}
with open("export-range-example.json", "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
