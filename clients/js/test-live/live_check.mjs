// The JavaScript package against a live deployment (not under test/, which
// node --test runs as a whole). The deployment (the
// ops/demo ceremony, a sim notary, ledgerd, the explorer, witness daemons) is
// the one clients/python/tests/live_ledgerd.py sets up; it runs this script
// with the pins and URLs as JSON on stdin and expects {"ok": true, ...} on stdout.
import * as alv from "../src/index.js";

const cfg = JSON.parse(await new Promise((resolve) => {
  let s = "";
  process.stdin.on("data", (d) => (s += d));
  process.stdin.on("end", () => resolve(s));
}));

const checks = [];
const K = cfg.witness_quorum;

function verifier(over = {}) {
  return (async () => alv.LedgerVerifier.create(over.logVkey ?? cfg.vkey, {
    witnesses: over.witnesses ?? (await alv.WitnessPolicy.create(cfg.witness_vkeys, K)),
    attestationRoot: cfg.root_pem, pcr0: over.pcr0 ?? cfg.pcr0, allowUnwitnessed: over.allowUnwitnessed ?? false,
  }))();
}

async function eventually(fn, retryOn = alv.TransportError, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof retryOn) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function check(name, fn) {
  try {
    await fn();
    checks.push({ name, ok: true });
  } catch (e) {
    checks.push({ name, ok: false, error: e instanceof alv.LedgerError ? e.reason : String(e && e.stack) });
  }
}

function expect(cond, what) {
  if (!cond) throw new Error("expected " + what);
}

async function reason(fn) {
  try {
    await fn();
    return "ok";
  } catch (e) {
    if (e instanceof alv.LedgerError) return e.reason;
    throw e;
  }
}

const client = new alv.LedgerClient(cfg.ledgerd_url, await verifier());

await check("latest state recorded by the measured code", async () => {
  const s = await eventually(() => client.state("svc/db/main", { expectState: cfg.state_b, stamper: "svc-db", kind: "STATE_NOTARIZED" }));
  expect(s.present && s.version === 2n && alv.hex(s.stateHash) === cfg.state_b, "version 2 with state B");
  expect(s.codeChecked && s.bootIndex !== null, "the code checked");
  expect(s.event.subject === "svc/db/main", "the entry's subject");
  expect(s.cosignatures.length === K, `${K} cosignatures`);
});

await check("restored backup is not the latest", async () => {
  const r = await reason(() => client.state("svc/db/main", { expectState: cfg.state_a }));
  expect(r === "state_not_latest", "state_not_latest, got " + r);
});

await check("absent subject", async () => {
  const s = await client.state("svc/never/written");
  expect(!s.present && s.codeChecked, "absent, the code checked");
});

await check("receipts of every entry", async () => {
  const size = (await client.state("svc/db/main")).treeSize;
  expect(size >= 4n, "at least 4 entries");
  for (let i = 0n; i < size; i++) {
    const r = await client.receipt(i);
    expect(r.index === i && r.codeChecked, `receipt ${i}`);
  }
  expect((await client.receipt(0)).event.kindName === "ENCLAVE_BOOTED", "entry 0 is the boot entry");
});

await check("other code is refused", async () => {
  const other = new alv.LedgerClient(cfg.ledgerd_url, await verifier({ pcr0: "00".repeat(48) }));
  const r = await reason(() => other.state("svc/db/main"));
  expect(r === "pcr_mismatch", "pcr_mismatch, got " + r);
});

await check("a witness policy the log does not meet", async () => {
  const w = "w.example+f96a478d+BCmsuuFBvMrwsi4alNNNC8c2HlJtC/4SyJeUvJMilm3X";
  const policy = await alv.WitnessPolicy.create([...cfg.witness_vkeys, w], K + 1);
  const other = new alv.LedgerClient(cfg.ledgerd_url, await verifier({ witnesses: policy }));
  const r = await reason(() => other.state("svc/db/main"));
  expect(r === "witness_quorum_not_met", "witness_quorum_not_met, got " + r);
});

if (K > 0) {
  await check("the witness policy is required", async () => {
    const r = await reason(() => alv.LedgerVerifier.create(cfg.vkey));
    expect(r === "witness_pins_missing", "witness_pins_missing, got " + r);
    const v = await alv.LedgerVerifier.create(cfg.vkey, { allowUnwitnessed: true });
    expect((await new alv.LedgerClient(cfg.ledgerd_url, v).state("svc/db/main")).present, "present");
  });
}

if (cfg.explorer_url) {
  await check("explorer entries and state", async () => {
    const ex = new alv.ExplorerClient(cfg.explorer_url, await verifier());
    const s = await eventually(() => ex.state("svc/db/main", { expectState: cfg.state_b }), alv.LedgerError, 30);
    expect(s.codeChecked, "the code checked");
    for (let i = 0n; i < s.treeSize; i++) expect((await ex.entry(i)).index === i, `entry ${i}`);
    const head = await ex.latest();
    expect(head.checkpoint.size >= s.treeSize && head.tiles.length > 0, "the head's root from its tiles");
  });
}

process.stdout.write(JSON.stringify({ ok: checks.every((c) => c.ok), checks }) + "\n");
