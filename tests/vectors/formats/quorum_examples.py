#!/usr/bin/env python3
"""Regenerates sealed-box-example.json, manifest-example.json and keys-example.json.

An implementation independent of ledger::core (hashlib, hmac and
python-cryptography), written from schemas/formats/sealed-box.md, manifest.md
and keys.md, RFC 5869 (HKDF), SEC1 (ECDH) and NIST SP 800-38D (AES-GCM), so
that the C++ tests cross-check the C++ code against it. Deterministic except
for the ECDSA approvals in manifest-example.json (randomized signatures, which
the C++ tests verify rather than reproduce). Usage: python3 quorum_examples.py
"""
import base64, hashlib, hmac, json, os, struct
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import hashes, serialization

HERE = os.path.dirname(os.path.abspath(__file__))
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def hkdf(ikm, salt, info, length=32):  # RFC 5869 §2.2, §2.3
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        okm += t
        i += 1
    return okm[:length]


def p256(scalar_bytes):
    return ec.derive_private_key(int.from_bytes(scalar_bytes, "big"), ec.SECP256R1())


def sec1(priv):
    return priv.public_key().public_bytes(serialization.Encoding.X962,
                                          serialization.PublicFormat.UncompressedPoint)


def ed25519_pub(seed):
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def vkey(name, pk):
    kid = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pk).digest()[:4]
    b64 = base64.b64encode(b"\x01" + pk).decode()
    return f"{name}+{kid.hex()}+{b64}"


def write(name, doc):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


# sealed-box.md §3
def seal(recipient_pub, plaintext, context, eph, iv):
    e = sec1(eph)
    z = eph.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), recipient_pub))
    key = hkdf(z, b"audit-ledger/sealed-box/v1", e + recipient_pub)
    aad = b"\x01" + recipient_pub + context
    return b"\x01" + e + iv + AESGCM(key).encrypt(iv, plaintext, aad), z, key


def sealed_box_example():
    recipient = p256(hashlib.sha256(b"sealed-box example recipient").digest())
    eph = p256(hashlib.sha256(b"sealed-box example ephemeral").digest())
    iv = bytes(range(12))
    plaintext = b"\x01\x02\x01" + bytes(range(0x20, 0x40))  # a share: v1, k=2, x=1, y
    context = b"audit-ledger/quorum-share/notary/v1\n" + hashlib.sha256(b"manifest").digest()
    box, z, key = seal(sec1(recipient), plaintext, context, eph, iv)
    return {
        "description": "sealed-box.md §5: a quorum share sealed to a notary's P-256 key",
        "recipient_scalar_hex": recipient.private_numbers().private_value.to_bytes(32, "big").hex(),
        "recipient_public_key_hex": sec1(recipient).hex(),
        "ephemeral_scalar_hex": eph.private_numbers().private_value.to_bytes(32, "big").hex(),
        "ephemeral_public_key_hex": sec1(eph).hex(),
        "iv_hex": iv.hex(),
        "plaintext_hex": plaintext.hex(),
        "context_hex": context.hex(),
        "shared_secret_hex": z.hex(),
        "aes_key_hex": key.hex(),
        "box_hex": box.hex(),
    }


# keys.md
QUORUM_SECRET = bytes(range(32))
ORIGIN = "ledger.example/audit"
SALT = b"audit-ledger/quorum/v1"


def gf_mul(a, b):  # GF(2^8) mod x^8 + x^4 + x^3 + x^2 + 1 (0x11d, libgfshare)
    r = 0
    while b:
        if b & 1:
            r ^= a
        a = ((a << 1) ^ (0x11d if a & 0x80 else 0)) & 0x1ff
        b >>= 1
    return r


def shamir_share(secret, coeffs, x):  # coeffs[j]: bytes of the x^(j+1) coefficient
    out = bytearray()
    for i, s in enumerate(secret):
        acc, xp = s, 1
        for c in coeffs:
            xp = gf_mul(xp, x)
            acc ^= gf_mul(c[i], xp)
        out.append(acc)
    return bytes(out)


def keys_example():
    identity = ed25519_pub(hkdf(QUORUM_SECRET, SALT, b"quorum-identity"))
    log_seed = hkdf(QUORUM_SECRET, SALT, b"log-ed25519\n" + ORIGIN.encode())
    for counter in range(256):
        cand = hkdf(QUORUM_SECRET, SALT, b"registry-secp256k1\n" + ORIGIN.encode() + bytes([counter]))
        d = int.from_bytes(cand, "big")
        if 0 < d < SECP256K1_N:
            break
    reg_pub = ec.derive_private_key(d, ec.SECP256K1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    coeffs = [bytes([0x01]) * 32]  # k = 2: one fixed coefficient per byte
    shares = [bytes([1, 2, x]) + shamir_share(QUORUM_SECRET, coeffs, x) for x in (1, 2, 3)]
    return {
        "description": "keys.md §6: derivations from a fixed quorum secret, and a 2-of-3 split",
        "quorum_secret_hex": QUORUM_SECRET.hex(),
        "origin": ORIGIN,
        "quorum_public_key_hex": identity.hex(),
        "log_seed_hex": log_seed.hex(),
        "log_public_key_hex": ed25519_pub(log_seed).hex(),
        "log_vkey": vkey(ORIGIN, ed25519_pub(log_seed)),
        "registry_counter": counter,
        "registry_secret_key_hex": cand.hex(),
        "registry_public_key_hex": reg_pub.hex(),
        "split_k": 2,
        "split_coefficient_hex": coeffs[0].hex(),
        "shares_hex": [s.hex() for s in shares],
    }


# manifest.md
def str8(s):
    return bytes([len(s)]) + s


def str16(s):
    return struct.pack(">H", len(s)) + s


def manifest_example():
    ops = {name: p256(hashlib.sha256(b"operator " + name.encode()).digest())
           for name in ("carol", "alice", "bob")}
    quorum_pub = ed25519_pub(hkdf(QUORUM_SECRET, SALT, b"quorum-identity"))
    submitter_pk = ed25519_pub(hashlib.sha256(b"submitter kms-api").digest())
    witness_pk = ed25519_pub(hashlib.sha256(b"witness one").digest())
    sub_vkey = vkey("kms-api", submitter_pk)
    wit_vkey = vkey("witness.example/one", witness_pk)
    pcr0, pcr1 = bytes([0xa0]) * 48, bytes([0xb1]) * 48
    address = bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")
    enc = b"audit-ledger/manifest\n" + b"\x01" + struct.pack(">Q", 7) + str8(ORIGIN.encode())
    enc += bytes([0x03]) + pcr0 + pcr1
    enc += bytes([3])
    for name in sorted(ops):
        enc += str8(name.encode()) + sec1(ops[name])
    enc += bytes([2]) + quorum_pub
    enc += bytes([1]) + str8(b"kms-api") + str16(sub_vkey.encode())
    kinds = [1, 3, 7, 8]  # KEY_CREATED, KEY_ROTATED, SIGNATURE_PRODUCED, SIGNATURE_REJECTED
    enc += bytes([len(kinds)]) + b"".join(struct.pack(">H", k) for k in kinds)
    subjects = [b"key/"]  # subject prefixes, sorted bytewise
    enc += bytes([len(subjects)]) + b"".join(str8(p) for p in subjects)
    enc += bytes([1]) + str16(wit_vkey.encode()) + bytes([1])
    enc += bytes([0x03]) + struct.pack(">Q", 31337) + address
    digest = hashlib.sha256(enc).digest()
    message = b"audit-ledger/manifest-approval/v1\n" + digest
    approvals = {}
    for name in ("alice", "bob"):
        r, s = decode_dss_signature(ops[name].sign(message, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        approvals[name] = (b"\x01" + digest + str8(name.encode()) + sig).hex()
    return {
        "description": "manifest.md §5: a 2-of-3 manifest with one submitter, one witness and a registry",
        "nonce": 7,
        "origin": ORIGIN,
        "pcr0_hex": pcr0.hex(),
        "pcr1_hex": pcr1.hex(),
        "operators": [{"name": n, "scalar_hex": ops[n].private_numbers().private_value.to_bytes(32, "big").hex(),
                       "public_key_hex": sec1(ops[n]).hex()} for n in ("carol", "alice", "bob")],
        "threshold": 2,
        "quorum_public_key_hex": quorum_pub.hex(),
        "submitters": [{"name": "kms-api", "verifier_key": sub_vkey,
                        "kinds": ["KEY_CREATED", "KEY_ROTATED", "SIGNATURE_PRODUCED", "SIGNATURE_REJECTED"],
                        "subjects": ["key/"]}],
        "witnesses": [wit_vkey],
        "witness_quorum": 1,
        "registry_chain_id": 31337,
        "registry_address_hex": address.hex(),
        "encoding_hex": enc.hex(),
        "digest_hex": digest.hex(),
        "approval_message_hex": message.hex(),
        "approvals_hex": approvals,
    }


if __name__ == "__main__":
    write("sealed-box-example.json", sealed_box_example())
    write("keys-example.json", keys_example())
    write("manifest-example.json", manifest_example())
