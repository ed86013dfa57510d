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
import urllib.error
import urllib.request

import auditledger_verify as alv
import auditledger_verify.event  # noqa: F401  (KIND_NAMES)
import auditledger_verify.note  # noqa: F401  (key_id)
import auditledger_verify.stamp  # noqa: F401  (stamp_text)

CTL = os.environ.get("LEDGERCTL")
LEDGERD = os.environ.get("LEDGERD")
NOTARY = os.environ.get("NOTARY")
EXPLORER = os.environ.get("EXPLORER")
WITNESS = os.environ.get("WITNESS")
NODE = os.environ.get("NODE")  # the JavaScript package's check (clients/js/test-live), clients_js_live
JS_LIVE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "js", "test-live",
                       "live_check.mjs")

STATE_A = hashlib.sha256(b"svc/db/main backup 1").hexdigest()
STATE_B = hashlib.sha256(b"svc/db/main backup 2").hexdigest()


def event(n, kind, subject, **extra):
    e = {"kind": kind, "event_id": f"live-{n}", "request_id": f"req-live-{n}",
         "occurred_at_us": 1767225600000000 + n, "actor": {"type": "service", "id": "svc/db"},
         "subject": subject, "outcome": "SUCCESS"}
    e.update(extra)
    return e


EVENTS = [event(1, "STATE_NOTARIZED", "svc/db/main", new_state_hash=STATE_A),
          event(2, "KEY_CREATED", "svc/keys/k-1"),
          event(3, "STATE_NOTARIZED", "svc/db/main", prior_state_hash=STATE_A, new_state_hash=STATE_B)]


def encode_event(e):
    """The canonical bytes (event.md §3) of the few fields these events use."""
    kinds = alv.event.KIND_NAMES
    fields = [(0x01, kinds.index(e["kind"]).to_bytes(2, "big")), (0x02, e["event_id"].encode()),
              (0x03, e["request_id"].encode()), (0x06, e["occurred_at_us"].to_bytes(8, "big")),
              (0x07, e["actor"]["type"].encode()), (0x08, e["actor"]["id"].encode()),
              (0x0C, e["subject"].encode()), (0x0F, b"\x01")]
    for tag, name in ((0x11, "prior_state_hash"), (0x12, "new_state_hash")):
        if name in e:
            fields.append((tag, bytes.fromhex(e[name])))
    return b"\x01" + b"".join(bytes([t]) + len(v).to_bytes(2, "big") + v for t, v in fields)


def make_stamp(origin, event_bytes, key_file):
    """stamp.md §2: the submitter's Ed25519 stamp over the event."""
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    with open(key_file) as f:
        name, kind, seed = f.read().split()[:3]
    assert kind == "ed25519", kind
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed))
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    sig = key.sign(alv.stamp.stamp_text(origin, event_bytes))
    kid = alv.note.key_id(name, 0x01, public)
    return (b"\x01" + bytes([len(name)]) + name.encode() + kid.to_bytes(4, "big")
            + len(sig).to_bytes(2, "big") + sig)


@unittest.skipUnless(CTL and LEDGERD and NOTARY, "LEDGERCTL, LEDGERD and NOTARY name the binaries")
class LiveLedgerd(unittest.TestCase):
    WITNESSES = 0  # witness daemons, all required (K = WITNESSES)
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
    def post_entry(cls, e, key_file):
        body = json.dumps({"event": e, "stamp": base64.b64encode(
            make_stamp("clients.live/log", encode_event(e), key_file)).decode()}).encode()
        deadline = time.time() + 60
        while True:
            req = urllib.request.Request(cls.ledgerd_url + "/v1/entries", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    return json.loads(resp.read())
            except urllib.error.HTTPError as err:
                detail = err.read().decode("utf-8", "replace")
                if err.code != 503 or time.time() > deadline:
                    raise AssertionError(f"POST /v1/entries: {err.code} {detail}") from None
                time.sleep(0.2)

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
        cls.witness_vkeys = []
        witness_flags = []
        for i in range(cls.WITNESSES):
            r = subprocess.run([WITNESS, "keygen", "--name", f"witness-{i}.test", "--out", d(f"witness{i}.key")],
                               capture_output=True, text=True, timeout=60, check=True)
            cls.witness_vkeys.append(r.stdout.splitlines()[0].strip())
            witness_flags += ["--witness", cls.witness_vkeys[-1]]
        if cls.WITNESSES:
            witness_flags += ["--witness-quorum", str(cls.WITNESSES)]
        with open(NOTARY, "rb") as f:
            cls.pcr0 = hashlib.sha384(f.read()).hexdigest()
        cls.ctl("manifest", "create", "--origin", "clients.live/log", "--pcr0", cls.pcr0,
                "--threshold", "2", "--quorum-pub", d("quorum", "quorum.pub"),
                "--submitter", f"svc-db={sub_vkey}:STATE_NOTARIZED,KEY_CREATED",
                "--subjects", "svc-db=svc/", "--out", d("manifest.bin"), *ops, *witness_flags)
        for op in ("alice", "bob"):
            cls.ctl("manifest", "approve", "--key", d(op + ".key"), "--name", op, d("manifest.bin"),
                    "--out", d(op + ".approval"))
        cls.start([NOTARY, "--socket", d("notary.sock"), "--sim-pki", d("pki")],
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
        with open(d("log.vkey")) as f:
            vkey = f.read().strip()
        ledgerd_flags = []
        for i in range(cls.WITNESSES):
            p = cls.start([WITNESS, "--listen", "127.0.0.1:0", "--data", d(f"witness{i}-db"), "--name",
                           f"witness-{i}.test", "--key", d(f"witness{i}.key"), "--log", f"clients.live/log={vkey}"],
                          f"witness{i}.log")
            first = p.stdout.readline().strip()
            if first != "witness " + cls.witness_vkeys[i]:
                raise AssertionError(f"witness {i} says {first!r}")
            ledgerd_flags += ["--witness", f"witness-{i}.test=http://127.0.0.1:{cls.port_of(p)}"]
        cls.ctl("init", "--data", d("log"), "--notary", d("notary.sock"), "--vkey", d("log.vkey"),
                "--submitter-key", d("submitter.key"), "--manifest", d("manifest.bin"))
        if not cls.WITNESSES:
            # Appended offline; with witnesses the notary waits for their quorum
            # (head_unconfirmed), so the entries go through ledgerd below.
            cls.ctl("append", "--data", d("log"), stdin="\n".join(json.dumps(e) for e in EVENTS[:2]) + "\n")
            cls.ctl("append", "--data", d("log"), stdin=json.dumps(EVENTS[2]) + "\n")
        with open(d("log.vkey")) as f:
            cls.vkey = f.read().strip()
        with open(d("pki", "root.pem")) as f:
            cls.root_pem = f.read()
        p = cls.start([LEDGERD, "--data", d("log"), "--listen", "127.0.0.1:0", "--max-delay-ms", "20",
                       *ledgerd_flags], "ledgerd.log")
        cls.ledgerd_url = f"http://127.0.0.1:{cls.port_of(p)}"
        if cls.WITNESSES:
            for e in EVENTS:
                cls.post_entry(e, d("submitter.key"))
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
        # The manifest's witness policy (K = 0 in a deployment without witnesses).
        args = dict(witnesses=alv.WitnessPolicy(self.witness_vkeys, self.WITNESSES),
                    attestation_root=self.root_pem, pcr0=self.pcr0)
        args.update(kw)
        return alv.LedgerVerifier(log_vkey or self.vkey, **args)

    def state_eventually(self, client, subject, **kw):
        """ledgerd answers once the head carries its witness quorum."""
        deadline = time.time() + 60
        while True:
            try:
                return client.state(subject, **kw)
            except alv.TransportError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def test_latest_state_recorded_by_the_measured_code(self):
        client = alv.LedgerClient(self.ledgerd_url, self.verifier())
        state = self.state_eventually(client, "svc/db/main", expect_state=STATE_B, stamper="svc-db", kind="STATE_NOTARIZED")
        self.assertTrue(state.present)
        self.assertEqual(state.version, 2)
        self.assertEqual(state.state_hash.hex(), STATE_B)
        self.assertTrue(state.code_checked)
        self.assertEqual(state.event.subject, "svc/db/main")
        self.assertEqual(len(state.cosignatures), self.WITNESSES)

    def test_restored_backup_is_not_the_latest(self):
        client = alv.LedgerClient(self.ledgerd_url, self.verifier())
        self.state_eventually(client, "svc/db/main")
        with self.assertRaises(alv.VerificationError) as cm:
            client.state("svc/db/main", expect_state=STATE_A)
        self.assertEqual(cm.exception.reason, "state_not_latest")

    def test_absent_subject(self):
        state = self.state_eventually(alv.LedgerClient(self.ledgerd_url, self.verifier()), "svc/never/written")
        self.assertFalse(state.present)
        self.assertTrue(state.code_checked)

    def test_receipts_of_every_entry(self):
        client = alv.LedgerClient(self.ledgerd_url, self.verifier())
        size = self.state_eventually(client, "svc/db/main").tree_size
        self.assertGreaterEqual(size, 4)
        for i in range(size):
            r = client.receipt(i)
            self.assertEqual(r.index, i)
            self.assertTrue(r.code_checked)
        self.assertEqual(client.receipt(0).event.kind_name, "ENCLAVE_BOOTED")

    def test_other_code_is_refused(self):
        client = alv.LedgerClient(self.ledgerd_url, self.verifier(pcr0="00" * 48))
        self.state_eventually(alv.LedgerClient(self.ledgerd_url, self.verifier()), "svc/db/main")
        with self.assertRaises(alv.VerificationError) as cm:
            client.state("svc/db/main")
        self.assertEqual(cm.exception.reason, "pcr_mismatch")

    def test_other_log_key_is_refused(self):
        # Another key under the log's name: its signature line is not there.
        public = bytes.fromhex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8")
        kid = alv.note.key_id("clients.live/log", 0x01, public)
        other = f"clients.live/log+{kid:08x}+" + base64.b64encode(b"\x01" + public).decode()
        client = alv.LedgerClient(self.ledgerd_url, self.verifier(log_vkey=other))
        self.state_eventually(alv.LedgerClient(self.ledgerd_url, self.verifier()), "svc/db/main")
        with self.assertRaises(alv.VerificationError) as cm:
            client.state("svc/db/main")
        self.assertEqual(cm.exception.reason, "unverified_note")

    def test_pinned_witness_policy_the_log_does_not_meet(self):
        w = "w.example+f96a478d+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X"
        policy = alv.WitnessPolicy([w], 1)
        client = alv.LedgerClient(self.ledgerd_url, self.verifier(witnesses=policy))
        self.state_eventually(alv.LedgerClient(self.ledgerd_url, self.verifier()), "svc/db/main")
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

    @unittest.skipUnless(NODE, "NODE names node (>= 20), for the JavaScript package")
    def test_javascript_package(self):
        cfg = {"ledgerd_url": self.ledgerd_url, "explorer_url": self.explorer_url, "vkey": self.vkey,
               "witness_vkeys": self.witness_vkeys, "witness_quorum": self.WITNESSES, "root_pem": self.root_pem,
               "pcr0": self.pcr0, "state_a": STATE_A, "state_b": STATE_B}
        r = subprocess.run([NODE, JS_LIVE], input=json.dumps(cfg), capture_output=True, text=True, timeout=240)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual([c for c in out["checks"] if not c["ok"]], [], r.stderr)
        self.assertTrue(out["ok"])
        self.assertGreaterEqual(len(out["checks"]), 6)


@unittest.skipUnless(CTL and LEDGERD and NOTARY and WITNESS, "WITNESS names the witness daemon")
class LiveLedgerdWithWitnesses(LiveLedgerd):
    """The same deployment with two witness daemons, both required (K = 2)."""

    WITNESSES = 2

    def test_witness_policy_is_required(self):
        with self.assertRaises(alv.MalformedError) as cm:
            alv.LedgerVerifier(self.vkey)
        self.assertEqual(cm.exception.reason, "witness_pins_missing")
        # Opting out still checks the log key and every pinned cosignature.
        client = alv.LedgerClient(self.ledgerd_url, alv.LedgerVerifier(self.vkey, allow_unwitnessed=True))
        self.assertTrue(self.state_eventually(client, "svc/db/main").present)

    def test_one_witness_short_of_a_larger_quorum(self):
        other = "w.example+f96a478d+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X"
        policy = alv.WitnessPolicy(self.witness_vkeys + [other], 3)
        client = alv.LedgerClient(self.ledgerd_url, self.verifier(witnesses=policy))
        self.state_eventually(alv.LedgerClient(self.ledgerd_url, self.verifier()), "svc/db/main")
        with self.assertRaises(alv.VerificationError) as cm:
            client.state("svc/db/main")
        self.assertEqual(cm.exception.reason, "witness_quorum_not_met")


if __name__ == "__main__":
    unittest.main()
