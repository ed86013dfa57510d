"""The attestation verifier on the genuine AWS Nitro documents of
tests/vectors/nitro (an independent check of the CBOR, COSE and chain code)."""
import json
import os
import unittest

import auditledger_verify as alv

NITRO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "vectors", "nitro")


class GenuineNitroDocuments(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(NITRO, "index.json")) as f:
            self.index = json.load(f)
        with open(os.path.join(NITRO, "aws_nitro_enclaves_root_g1.der"), "rb") as f:
            self.root = f.read()

    def doc(self, entry):
        with open(os.path.join(NITRO, entry["file"]), "rb") as f:
            return f.read()

    def reason(self, doc, **kw):
        try:
            alv.verify_attestation(doc, self.root, **kw)
            return "ok"
        except alv.LedgerError as e:
            return e.reason

    def test_valid_documents_in_their_window(self):
        valid = [e for e in self.index if e["expected"] == "valid"]
        self.assertEqual(len(valid), 7)
        for e in valid:
            with self.subTest(doc=e["file"]):
                doc = self.doc(e)
                v = alv.verify_attestation(doc, self.root, at_unix=e["verify_at_unix"])
                self.assertEqual(v.document.module_id, e["module_id"])
                self.assertEqual(self.reason(doc, at_unix=e["valid_from_unix"] - 1), "certificate_not_yet_valid")
                self.assertEqual(self.reason(doc, at_unix=e["valid_until_unix"] + 1), "certificate_expired")

    def test_broken_documents(self):
        by_name = {os.path.basename(e["file"]): e for e in self.index}
        self.assertEqual(self.reason(self.doc(by_name["NEG_signal_svr2_valid_bytes_bitflip160.cose"])),
                         "bad_cose_signature")
        self.assertEqual(self.reason(self.doc(by_name["base_nitro_validator_real_attestation_AS_PUBLISHED_BROKEN.cose"])),
                         "malformed_cbor")

    def test_every_single_bit_flip_of_one_document_fails(self):
        e = next(e for e in self.index if e["file"].endswith("signal_svr2_valid_bytes.cose"))
        doc = bytearray(self.doc(e))
        for i in range(0, len(doc), 7):
            flipped = bytearray(doc)
            flipped[i] ^= 1 << (i % 8)
            with self.subTest(byte=i):
                self.assertNotEqual(self.reason(bytes(flipped), at_unix=e["verify_at_unix"]), "ok")


if __name__ == "__main__":
    unittest.main()
