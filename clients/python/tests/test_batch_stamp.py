"""Batch stamps (stamp.md §7) against the worked example an independent
implementation wrote (tests/vectors/formats/stamp-batch-examples.json): every
event's stamp verifies alone, every listed tampering is refused with its reason."""
import json
import os
import unittest

import auditledger_verify as alv
from auditledger_verify.errors import MalformedError, VerificationError
from auditledger_verify.stamp import batch_stamp_text

FORMATS = os.path.join(os.environ.get("CLIENT_VECTORS", os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                                                   "tests", "vectors", "clients")), "..", "formats")


class BatchStampExample(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(FORMATS, "stamp-batch-examples.json")) as f:
            self.v = json.load(f)
        self.events = [bytes.fromhex(e) for e in self.v["events_hex"]]

    def test_every_event_verifies_alone(self):
        root = bytes.fromhex(self.v["root_hex"])
        self.assertEqual(batch_stamp_text(self.v["origin"], len(self.events), root).decode(), self.v["batch_text"])
        for i, s in enumerate(self.v["stamps_hex"]):
            stamp = alv.decode_stamp(bytes.fromhex(s))
            self.assertEqual((stamp.batch.index, stamp.batch.count), (i, len(self.events)))
            who = alv.verify_stamp(self.v["origin"], self.events[i], bytes.fromhex(s), [self.v["vkey"]])
            self.assertEqual(who.vkey(), self.v["vkey"])

    def test_tampering_is_refused(self):
        self.assertGreaterEqual(len(self.v["refusals"]), 10)
        for r in self.v["refusals"]:
            with self.subTest(why=r["why"]):
                with self.assertRaises((MalformedError, VerificationError)) as cm:
                    alv.verify_stamp(r["origin"], self.events[r["event"]], bytes.fromhex(r["stamp_hex"]),
                                     [self.v["vkey"]])
                self.assertEqual(cm.exception.reason, r["reason"])


if __name__ == "__main__":
    unittest.main()
