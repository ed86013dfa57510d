"""RFC 9162 §2.1 hashes, inclusion and consistency proofs, as
ledger/core/merkle/src/merkle_proof.cc (reasons index_out_of_range,
proof_wrong_length, root_mismatch, bad_tree_sizes)."""
from ._util import sha256
from .errors import MalformedError, VerificationError


def leaf_hash(data):
    return sha256(b"\x00", data)


def node_hash(left, right):
    return sha256(b"\x01", left, right)


def _bit_length(x):
    return x.bit_length()


def inclusion_proof_size(index, size):
    if index >= size:
        return 0
    inner = _bit_length(index ^ (size - 1))
    rest = 0 if inner >= 64 else index >> inner
    return inner + bin(rest).count("1")


def _block_count(size, level):
    mask = (1 << level) - 1
    return (size >> level) + (1 if size & mask else 0)


def consistency_proof_size(size1, size2):
    if size1 == 0 or size1 >= size2:
        return 0
    level = (size1 & -size1).bit_length() - 1
    index = (size1 - 1) >> level
    return (1 if index != 0 else 0) + inclusion_proof_size(index, _block_count(size2, level))


def _wrong_length(what, got, want):
    return VerificationError("proof_wrong_length", f"{what} proof has {got} hashes, want {want}")


def _shift(fn, sn):
    while (fn & 1) == 0 and fn != 0:
        fn >>= 1
        sn >>= 1
    return fn, sn


def root_from_inclusion_proof(index, size, leaf, proof):
    if index >= size:
        raise MalformedError("index_out_of_range", f"leaf {index} not in tree of size {size}")
    want = inclusion_proof_size(index, size)
    if len(proof) != want:
        raise _wrong_length("inclusion", len(proof), want)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise _wrong_length("inclusion", len(proof), want)
        if (fn & 1) or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise _wrong_length("inclusion", len(proof), want)
    return r


def verify_inclusion(index, size, leaf, proof, root):
    computed = root_from_inclusion_proof(index, size, leaf, proof)
    if computed != root:
        raise VerificationError(
            "root_mismatch", f"inclusion proof for leaf {index} implies root {computed.hex()}")


def verify_consistency(size1, size2, proof, root1, root2):
    if size1 > size2:
        raise MalformedError("bad_tree_sizes", f"size1 {size1} > size2 {size2}")
    if size1 == size2 or size1 == 0:
        if proof:
            raise _wrong_length("consistency", len(proof), 0)
        if size1 == size2 and root1 != root2:
            raise VerificationError("root_mismatch", "equal tree sizes with different roots")
        return
    want = consistency_proof_size(size1, size2)
    if len(proof) != want:
        raise _wrong_length("consistency", len(proof), want)
    nxt = 0
    if size1 & (size1 - 1) == 0:
        fr = root1
    else:
        fr = proof[0]
        nxt = 1
    sr = fr
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    for c in proof[nxt:]:
        if sn == 0:
            raise _wrong_length("consistency", len(proof), want)
        if (fn & 1) or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            fn, sn = _shift(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise _wrong_length("consistency", len(proof), want)
    if fr != root1:
        raise VerificationError("root_mismatch", "consistency proof implies old root " + fr.hex())
    if sr != root2:
        raise VerificationError("root_mismatch", "consistency proof implies new root " + sr.hex())
