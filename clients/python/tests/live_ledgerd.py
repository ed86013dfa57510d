"""The Python verifier against a live deployment: the ceremony of ops/demo
(dev PKI, operator keys, quorum genesis, manifest, a sim notary enclave,
provisioning, init), a few stamped entries, then ledgerd and the explorer,
whose answers the package fetches and verifies with the pins alone.

Needs LEDGERCTL, LEDGERD, NOTARY (and optionally EXPLORER): the binaries'
paths, as ctest passes them (clients_python_live)."""
import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import auditledger_verify as alv
import auditledger_verify.note  # noqa: F401  (key_id)

CTL = os.environ.get("LEDGERCTL")
LEDGERD = os.environ.get("LEDGERD")
NOTARY = os.environ.get("NOTARY")
EXPLORER = os.environ.get("EXPLORER")

STATE_A = hashlib.sha256(b"svc/db/main backup 1").hexdigest()
STATE_B = hashlib.sha256(b"svc/db/main backup 2").hexdigest()


def event(n, kind, subject, **extra):
    e = {"kind": kind, "event_id": f"live-{n}", "request_id": f"req-live-{n}",
         "occurred_at": "2026-01-01T00:00:00Z", "actor": {"type": "service", "id": "svc/db"},
         "subject": subject, "outcome": "SUCCESS"}
    e.update(extra)
    return json.dumps(e)


@unittest.skipUnless(CTL and LEDGERD and NOTARY, "LEDGERCTL, LEDGERD and NOTARY name the binaries")
class LiveLedgerd(unittest.TestCase):
    @classmethod
    def ctl(cls, *args, stdin=None):
        r = subprocess.run([CTL, *args], input=stdin, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise AssertionError(f"ledgerctl {' '.join(args)}: {r.returncode}\n{r.stdout}\n{r.stderr}")
        return r.stdout

    @classmethod
    def start(cls, argv, log):
        err = open(os.path.join(cls.dir, log), "w")
        cls.logs.append(err)
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True)
        cls.procs.append(p)
        return p

    @classmethod
    def port_of(cls, p):
        line = p.stdout.readline().strip()
        prefix = "listening on 127.0.0.1:"
        if not line.startswith(prefix):
            raise AssertionError(f"unexpected first line {line!r}")
        return int(line[len(prefix):])

    @classmethod
    def setUpClass(cls):
        cls.procs = []
        cls.logs = []
        cls.dir = tempfile.mkdtemp(prefix="alv-live-", dir="/tmp")
        try:
            cls._create()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _create(cls):
        d = lambda *p: os.path.join(cls.dir, *p)  # noqa: E731
        cls.ctl("dev-pki", "--out", d("pki"))
        ops = []
        for op in ("alice", "bob", "carol"):
            cls.ctl("operator-key", "--out", d(op + ".key"))
            ops += ["--operator", f"{op}={d(op + '.key.pub')}"]
        cls.ctl("quorum", "genesis", "--threshold", "2", "--out", d("quorum"), *ops)
        sub_vkey = cls.ctl("submitter-key", "--name", "svc-db", "--out", d("submitter.key")).strip()
        with open(NOTARY, "rb") as f:
            cls.pcr0 = hashlib.sha384(f.read()).hexdigest()
        cls.ctl("manifest", "create", "--origin", "clients.live/log", "--pcr0", cls.pcr0,
                "--threshold", "2", "--quorum-pub", d("quorum", "quorum.pub"),
                "--submitter", f"svc-db={sub_vkey}:STATE_NOTARIZED,KEY_CREATED",
                "--subjects", "svc-db=svc/", "--out", d("manifest.bin"), *ops)
        for op in ("alice", "bob"):
            cls.ctl("manifest", "approve", "--key", d(op + ".key"), "--name", op, d("manifest.bin"),
                    "--out", d(op + ".approval"))
        cls.start([NOTARY, "--platform", "sim", "--socket", d("notary.sock"), "--sim-pki", d("pki")],
                  "notary.log")
        for _ in range(600):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(d("notary.sock"))
                break
            except OSError:
                time.sleep(0.05)
            finally:
                s.close()
        for op in ("alice", "bob"):
            cls.ctl("quorum", "provision", "--socket", d("notary.sock"), "--manifest", d("manifest.bin"),
                    "--root", d("pki", "root.pem"), "--key", d(op + ".key"), "--share",
                    d("quorum", op + ".share"), "--out", d(op + ".resealed"))
        cls.ctl("notary", "provision", "--socket", d("notary.sock"), "--manifest", d("manifest.bin"),
                "--approval", d("alice.approval"), "--approval", d("bob.approval"),
                "--share", d("alice.resealed"), "--share", d("bob.resealed"), "--vkey-out", d("log.vkey"))
        cls.ctl("init", "--data", d("log"), "--notary", d("notary.sock"), "--vkey", d("log.vkey"),
                "--submitter-key", d("submitter.key"), "--manifest", d("manifest.bin"))
        cls.ctl("append", "--data", d("log"), stdin="\n".join([
            event(1, "STATE_NOTARIZED", "svc/db/main", new_state_hash=STATE_A),
            event(2, "KEY_CREATED", "svc/keys/k-1"),
        ]) + "\n")
        cls.ctl("append", "--data", d("log"), stdin=event(
            3, "STATE_NOTARIZED", "svc/db/main", prior_state_hash=STATE_A, new_state_hash=STATE_B) + "\n")
        with open(d("log.vkey")) as f:
            cls.vkey = f.read().strip()
        with open(d("pki", "root.pem")) as f:
            cls.root_pem = f.read()
        p = cls.start([LEDGERD, "--data", d("log"), "--listen", "127.0.0.1:0", "--max-delay-ms", "20"],
                      "ledgerd.log")
        cls.ledgerd_url = f"http://127.0.0.1:{cls.port_of(p)}"
        cls.explorer_url = None
        if EXPLORER:
            p = cls.start([EXPLORER, "--data", d("log"), "--secondary", d("explorer-secondary"),
                           "--listen", "127.0.0.1:0"], "explorer.log")
            cls.explorer_url = f"http://127.0.0.1:{cls.port_of(p)}"

    @classmethod
    def tearDownClass(cls):
        for p in reversed(cls.procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdout:
                p.stdout.close()
        for f in cls.logs:
            f.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def verifier(self, log_vkey=None, **kw):
        # The deployment has no witnesses: the manifest's policy is K = 0.
        args = dict(witnesses=alv.WitnessPolicy([], 0), attestation_root=self.root_pem, pcr0=self.pcr0)
        args.update(kw)
        return alv.LedgerVerifier(log_vkey or self.vkey, **args)

    def test_latest_state_recorded_by_the_measured_code(self):
        client = alv.LedgerClient(self.ledgerd_url, self.verifier())
        state = client.state("svc/db/main", expect_state=STATE_B, stamper="svc-db", kind="STATE_NOTARIZED")
        self.assertTrue(state.present)
        self.assertEqual(state.version, 2)
        self.assertEqual(state.state_hash.hex(), STATE_B)
        self.assertTrue(state.code_checked)
        self.assertEqual(state.event.subject, "svc/db/main")

    def test_restored_backup_is_not_the_latest(self):
        client = alv.LedgerClient(self.ledgerd_url, self.verifier())
        with self.assertRaises(alv.VerificationError) as cm:
            client.state("svc/db/main", expect_state=STATE_A)
        self.assertEqual(cm.exception.reason, "state_not_latest")

    def test_absent_subject(self):
        state = alv.LedgerClient(self.ledgerd_url, self.verifier()).state("svc/never/written")
        self.assertFalse(state.present)
        self.assertTrue(state.code_checked)

    def test_receipts_of_every_entry(self):
        client = alv.LedgerClient(self.ledgerd_url, self.verifier())
        size = client.state("svc/db/main").tree_size
        self.assertGreaterEqual(size, 4)
        for i in range(size):
            r = client.receipt(i)
            self.assertEqual(r.index, i)
            self.assertTrue(r.code_checked)
        self.assertEqual(client.receipt(0).event.kind_name, "ENCLAVE_BOOTED")

    def test_other_code_is_refused(self):
        client = alv.LedgerClient(self.ledgerd_url, self.verifier(pcr0="00" * 48))
        with self.assertRaises(alv.VerificationError) as cm:
            client.state("svc/db/main")
        self.assertEqual(cm.exception.reason, "pcr_mismatch")

    def test_other_log_key_is_refused(self):
        # Another key under the log's name: its signature line is not there.
        public = bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")
        kid = alv.note.key_id("clients.live/log", 0x01, public)
        other = f"clients.live/log+{kid:08x}+" + base64.b64encode(b"\x01" + public).decode()
        client = alv.LedgerClient(self.ledgerd_url, self.verifier(log_vkey=other))
        with self.assertRaises(alv.VerificationError) as cm:
            client.state("svc/db/main")
        self.assertEqual(cm.exception.reason, "unverified_note")

    def test_pinned_witness_policy_the_log_does_not_meet(self):
        w = "w.example+f96a478d+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X"
        policy = alv.WitnessPolicy([w], 1)
        client = alv.LedgerClient(self.ledgerd_url, self.verifier(witnesses=policy))
        with self.assertRaises(alv.VerificationError) as cm:
            client.state("svc/db/main")
        self.assertEqual(cm.exception.reason, "witness_quorum_not_met")

    def test_explorer_entries_and_state(self):
        if not self.explorer_url:
            self.skipTest("EXPLORER not given")
        client = alv.ExplorerClient(self.explorer_url, self.verifier())
        deadline = time.time() + 30
        while True:
            try:
                state = client.state("svc/db/main", expect_state=STATE_B)
                break
            except alv.LedgerError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        self.assertTrue(state.code_checked)
        for i in range(state.tree_size):
            self.assertEqual(client.entry(i).index, i)


if __name__ == "__main__":
    unittest.main()
