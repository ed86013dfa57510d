"""Strict parsing: hand-picked defects, and random mutations of every valid
shared vector, which must verify or raise the package's own LedgerError,
never any other exception."""
import base64
import copy
import json
import os
import random
import unittest

import auditledger_verify as alv
from auditledger_verify._util import b64decode, parse_json_strict
from vector_runner import FILES, RUN, load

ROUNDS = int(os.environ.get("CLIENT_FUZZ_ROUNDS", "25"))


def mutate_bytes(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        if op == 0 and data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        elif op == 2 and data:
            del data[rng.randrange(len(data))]
        elif op == 3 and data:
            del data[rng.randrange(len(data)):]
        elif op == 4 and data:
            i = rng.randrange(len(data))
            j = min(len(data), i + rng.randint(1, 64))
            data[i:i] = data[i:j]
        else:
            data.insert(rng.randrange(len(data) + 1), rng.choice(b"\n \r=+/{}[]\",:0-"))
    return bytes(data)


JUNK = [None, True, 0, -1, 1 << 70, 1.5, "", "x", "AAAA", [], {}, ["A" * 43 + "="], {"a": 1}]


def mutate_json(rng, value):
    """Replaces, deletes or adds one member somewhere in a parsed JSON value."""
    value = copy.deepcopy(value)
    node = value
    for _ in range(rng.randint(0, 3)):
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        children = [(k, v) for k, v in children if isinstance(v, (dict, list))]
        if not children:
            break
        node = rng.choice(children)[1]
    if isinstance(node, dict) and node:
        k = rng.choice(list(node))
        op = rng.randrange(3)
        if op == 0:
            node[k] = copy.deepcopy(rng.choice(JUNK))
        elif op == 1:
            del node[k]
        else:
            node["x" + k] = copy.deepcopy(rng.choice(JUNK))
    elif isinstance(node, list) and node:
        i = rng.randrange(len(node))
        node[i] = copy.deepcopy(rng.choice(JUNK))
    return value


def main_field(case):
    return {"checkpoint": "note", "receipt": "receipt", "state": "answer", "leaf": "leaf",
            "stamp": "stamp", "attestation": "document"}.get(case["check"])


def as_bytes(case, field):
    v = case[field]
    if isinstance(v, dict):
        return base64.b64decode(v["base64"])
    if field in ("leaf", "stamp"):
        return bytes.fromhex(v)
    if field == "document":
        return base64.b64decode(v)
    return v.encode("utf-8")


def put_bytes(case, field, data):
    if field in ("leaf", "stamp"):
        case[field] = data.hex()
    elif field == "document":
        case[field] = base64.b64encode(data).decode()
    else:
        try:
            case[field] = data.decode("utf-8")
        except UnicodeDecodeError:
            case[field] = {"base64": base64.b64encode(data).decode()}


class RandomMutations(unittest.TestCase):
    def check(self, case):
        try:
            RUN[case["check"]](case)
        except alv.LedgerError as e:
            self.assertIsInstance(e.reason, str)
            self.assertTrue(e.reason)

    def fuzz_file(self, name):
        rng = random.Random(f"clients-{name}")
        for case in load(name):
            if not case["expect"]["ok"] or case["check"] == "merkle":
                continue
            field = main_field(case)
            if field is None or field not in case:
                continue
            data = as_bytes(case, field)
            for r in range(ROUNDS):
                c = copy.deepcopy(case)
                put_bytes(c, field, mutate_bytes(rng, data))
                with self.subTest(case=case["name"], round=r, kind="bytes"):
                    self.check(c)
            if case["check"] in ("receipt", "state") and data.lstrip()[:1] == b"{":
                parsed = json.loads(data)
                for r in range(ROUNDS):
                    c = copy.deepcopy(case)
                    c[field] = json.dumps(mutate_json(rng, parsed))
                    with self.subTest(case=case["name"], round=r, kind="json"):
                        self.check(c)

    def test_merkle_proof_mutations(self):
        rng = random.Random("clients-merkle")
        for case in load("merkle"):
            for r in range(ROUNDS):
                c = copy.deepcopy(case)
                proof = c["proof"]
                op = rng.randrange(3)
                if op == 0 and proof:
                    del proof[rng.randrange(len(proof))]
                elif op == 1:
                    proof.insert(rng.randrange(len(proof) + 1), os.urandom(32).hex())
                elif proof:
                    i = rng.randrange(len(proof))
                    b = bytearray.fromhex(proof[i])
                    b[rng.randrange(32)] ^= 1
                    proof[i] = b.hex()
                for k in ("index", "size", "size1", "size2"):
                    if k in c and rng.random() < 0.2:
                        c[k] = rng.choice([0, 1, c[k] + 1, max(0, c[k] - 1), (1 << 64) - 1])
                with self.subTest(case=case["name"], round=r):
                    self.check(c)


for _name in FILES:
    if _name != "merkle":
        setattr(RandomMutations, f"test_{_name}_mutations", lambda self, n=_name: self.fuzz_file(n))


class StrictDecoders(unittest.TestCase):
    def assertReason(self, reason, fn, *args, **kw):
        with self.assertRaises(alv.LedgerError) as cm:
            fn(*args, **kw)
        self.assertEqual(cm.exception.reason, reason, str(cm.exception))

    def test_base64_is_canonical(self):
        self.assertEqual(b64decode("AA=="), b"\x00")
        for bad in ["AB==", "AA=", "A===", "AA==\n", " AA==", "AA-_", "AAA=A", "=AAA", "AA=A"]:
            self.assertIsNone(b64decode(bad), bad)

    def test_json(self):
        self.assertReason("duplicate_key", parse_json_strict, '{"a":{"b":1,"b":2}}', 100)
        self.assertReason("json_too_large", parse_json_strict, " " * 101, 100)
        self.assertReason("malformed_json", parse_json_strict, "[" * 100000 + "]" * 100000, 1 << 20)
        self.assertReason("malformed_json", parse_json_strict, "[" * 17 + "]" * 17, 1000)
        self.assertReason("malformed_json", parse_json_strict, '{"a":"\\ud800"}', 100)
        self.assertReason("malformed_json", parse_json_strict, '{"a":NaN}', 100)
        self.assertReason("malformed_json", parse_json_strict, b'{"a":"\xff"}', 100)
        self.assertReason("malformed_json", parse_json_strict, '{"a":1} x', 100)

    def test_oversize_inputs(self):
        verifier = alv.LedgerVerifier(load("state")[0]["log_vkey"], allow_unwitnessed=True)
        self.assertReason("json_too_large", verifier.verify_state, " " * ((1 << 20) + 1))
        self.assertReason("malformed_tlog_proof", alv.parse_tlog_proof, b"x" * ((2 << 20) + 1))
        self.assertReason("malformed_note", alv.parse_note, b"x" * ((1 << 20) + 1))
        self.assertReason("malformed_leaf", alv.decode_leaf, b"\x01" * 65536)
        self.assertReason("malformed_event", alv.decode_event, b"\x01" * 60001)
        self.assertReason("malformed_cbor", alv.parse_attestation, b"\x40" * (64 * 1024 + 1))

    def test_cbor_limits(self):
        from auditledger_verify import cbor
        self.assertReason("malformed_cbor", cbor.decode, b"\x81" * 17 + b"\x00")
        self.assertReason("malformed_cbor", cbor.decode, b"\x9f" + b"\x00" * 4096 + b"\xff")
        self.assertReason("malformed_cbor", cbor.decode, b"\xa2\x01\x00\x01\x00")  # duplicate key
        self.assertReason("malformed_cbor", cbor.decode, b"\xf9\x00\x00")  # a float
        self.assertReason("malformed_cbor", cbor.decode, b"\x62\xc3\x28")  # not UTF-8
        self.assertReason("malformed_cbor", cbor.decode, b"\x7f\x41\x00\xff")  # wrong chunk type
        self.assertEqual(cbor.decode(b"\x5f\x41\x01\x41\x02\xff").value, b"\x01\x02")

    def test_bad_arguments_are_ledger_errors(self):
        case = next(c for c in load("state") if c["name"] == "latest_state")
        v = alv.LedgerVerifier(case["log_vkey"], witnesses=alv.WitnessPolicy(case["witnesses"], case["quorum"]))
        self.assertReason("bad_hash", v.verify_state, case["answer"], expect_state="xyz")
        self.assertReason("bad_hash", v.verify_state, case["answer"], expect_state=b"short")
        self.assertReason("bad_min_size", v.verify_state, case["answer"], min_size=-1)
        self.assertReason("bad_min_size", v.verify_state, case["answer"], min_size="10")
        receipt = next(c for c in load("receipt") if c["name"] == "tlog_proof_entry_5")
        self.assertReason("bad_hash", v.verify_receipt, receipt["receipt"], leaf_hash="zz")
        self.assertReason("bad_hash", v.verify_receipt, receipt["receipt"], leaf_hash=7)
        self.assertReason("wrong_type", v.verify_checkpoint, 7)
        self.assertReason("bad_verifier_key", alv.LedgerVerifier, 7, allow_unwitnessed=True)
        self.assertReason("bad_witness_policy", alv.WitnessPolicy, [7], 1)
        self.assertReason("bad_witness_policy", alv.WitnessPolicy, [], -1)

    def test_consistency_between_checkpoints(self):
        case = next(c for c in load("checkpoint") if c["name"] == "cosigned_2_of_3")
        v = alv.LedgerVerifier(case["log_vkey"], witnesses=alv.WitnessPolicy(case["witnesses"], case["quorum"]))
        old, new = v.verify_consistency(case["note"], case["note"], [])
        self.assertEqual(old.checkpoint.size, new.checkpoint.size)
        self.assertReason("proof_wrong_length", v.verify_consistency, case["note"], case["note"], ["A" * 43 + "="])
        unwitnessed = next(c for c in load("checkpoint") if c["name"] == "log_signature_only_quorum_not_met")
        self.assertReason("witness_quorum_not_met", v.verify_consistency, unwitnessed["note"], case["note"], [])

    def test_witness_policy_is_required(self):
        vkey = load("checkpoint")[0]["log_vkey"]
        self.assertReason("witness_pins_missing", alv.LedgerVerifier, vkey)
        self.assertReason("bad_witness_policy", alv.WitnessPolicy, [vkey + "x"], 1)
        self.assertReason("attestation_root_missing", alv.LedgerVerifier, vkey, allow_unwitnessed=True,
                          pcr0="00" * 48)


if __name__ == "__main__":
    unittest.main()
