// Strict parsing: hand-picked defects, and random mutations of every valid
// shared vector, which must verify or throw the package's own LedgerError,
// never any other exception.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import * as alv from "../src/index.js";
import * as cbor from "../src/cbor.js";
import { FILES, load, RUN } from "./vector_runner.js";
import { asBytes, mainField, mutateBytes, mutateJson, putBytes, Rng } from "./mutate.js";

const ROUNDS = Number(process.env.CLIENT_FUZZ_ROUNDS || 25);
const enc = (s) => new TextEncoder().encode(s);

async function check(c) {
  try {
    await RUN[c.check](c);
  } catch (e) {
    if (!(e instanceof alv.LedgerError)) {
      throw new Error(`${c.name}: ${e && e.stack}`);
    }
    assert.equal(typeof e.reason, "string");
    assert.ok(e.reason);
    assert.ok(["invalid_argument", "verification_failed", "failed_precondition"].includes(e.code), e.code);
  }
}

async function assertReason(reason, fn) {
  await assert.rejects(async () => fn(), (e) => {
    assert.ok(e instanceof alv.LedgerError, String(e));
    assert.equal(e.reason, reason, e.message);
    return true;
  });
}

describe("random mutations", () => {
  for (const name of FILES.filter((n) => n !== "merkle")) {
    test(`${name} mutations raise only LedgerError`, async () => {
      const rng = new Rng(`clients-${name}`);
      for (const c of load(name)) {
        if (!c.expect.ok) continue;
        const field = mainField(c);
        if (!field || !(field in c)) continue;
        const data = asBytes(c, field);
        for (let r = 0; r < ROUNDS; r++) {
          const m = structuredClone(c);
          putBytes(m, field, mutateBytes(rng, data));
          m.name = `${c.name}/bytes-${r}`;
          await check(m);
        }
        if ((c.check === "receipt" || c.check === "state") && new TextDecoder().decode(data).trimStart().startsWith("{")) {
          const parsed = JSON.parse(new TextDecoder().decode(data));
          for (let r = 0; r < ROUNDS; r++) {
            const m = structuredClone(c);
            m[field] = mutateJson(rng, parsed);
            m.name = `${c.name}/json-${r}`;
            await check(m);
          }
        }
      }
    });
  }

  test("merkle proof mutations raise only LedgerError", async () => {
    const rng = new Rng("clients-merkle");
    for (const c of load("merkle")) {
      for (let r = 0; r < ROUNDS; r++) {
        const m = structuredClone(c);
        const proof = m.proof;
        const op = rng.int(3);
        if (op === 0 && proof.length) proof.splice(rng.int(proof.length), 1);
        else if (op === 1) proof.splice(rng.int(proof.length + 1), 0, randomBytes(32).toString("hex"));
        else if (proof.length) {
          const i = rng.int(proof.length);
          const b = Buffer.from(proof[i], "hex");
          b[rng.int(32)] ^= 1;
          proof[i] = b.toString("hex");
        }
        for (const k of ["index", "size", "size1", "size2"]) {
          if (k in m && rng.next() < 0.2) m[k] = rng.choice([0, 1, m[k] + 1, Math.max(0, m[k] - 1), (1n << 64n) - 1n]);
        }
        await check(m);
      }
    }
  });
});

describe("strict decoders", () => {
  test("base64 is canonical", () => {
    assert.deepEqual(alv.b64decode("AA=="), Uint8Array.of(0));
    for (const bad of ["AB==", "AA=", "A===", "AA==\n", " AA==", "AA-_", "AAA=A", "=AAA", "AA=A"]) {
      assert.equal(alv.b64decode(bad), null, bad);
    }
  });

  test("JSON: duplicate keys, size, depth, surrogates, NaN, UTF-8, trailing bytes", async () => {
    const p = alv.parseJsonStrict;
    await assertReason("duplicate_key", () => p('{"a":{"b":1,"b":2}}', 100));
    await assertReason("json_too_large", () => p(" ".repeat(101), 100));
    await assertReason("malformed_json", () => p("[".repeat(100000) + "]".repeat(100000), 1 << 20));
    await assertReason("malformed_json", () => p("[".repeat(17) + "]".repeat(17), 1000));
    await assertReason("malformed_json", () => p('{"a":"\\ud800"}', 100));
    await assertReason("malformed_json", () => p('{"a":NaN}', 100));
    await assertReason("malformed_json", () => p(Uint8Array.of(0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d), 100));
    await assertReason("malformed_json", () => p('{"a":1} x', 100));
    assert.equal(p('{"a":18446744073709551615}', 100).a, (1n << 64n) - 1n);
  });

  test("oversize inputs", async () => {
    const v = await alv.LedgerVerifier.create(load("state")[0].log_vkey, { allowUnwitnessed: true });
    await assertReason("json_too_large", () => v.verifyState(" ".repeat((1 << 20) + 1)));
    await assertReason("malformed_tlog_proof", () => alv.parseTlogProof(new Uint8Array((2 << 20) + 1).fill(0x78)));
    await assertReason("malformed_note", () => alv.parseNote(new Uint8Array((1 << 20) + 1).fill(0x78)));
    await assertReason("malformed_leaf", () => alv.decodeLeaf(new Uint8Array(65536).fill(1)));
    await assertReason("malformed_event", () => alv.decodeEvent(new Uint8Array(60001).fill(1)));
    await assertReason("malformed_cbor", () => alv.parseAttestation(new Uint8Array(64 * 1024 + 1).fill(0x40)));
  });

  test("CBOR limits", async () => {
    const d = (a) => () => cbor.decode(Uint8Array.from(a));
    await assertReason("malformed_cbor", d([...new Array(17).fill(0x81), 0]));
    await assertReason("malformed_cbor", d([0x9f, ...new Array(4096).fill(0), 0xff]));
    await assertReason("malformed_cbor", d([0xa2, 1, 0, 1, 0]));
    await assertReason("malformed_cbor", d([0xf9, 0, 0]));
    await assertReason("malformed_cbor", d([0x62, 0xc3, 0x28]));
    await assertReason("malformed_cbor", d([0x7f, 0x41, 0, 0xff]));
    assert.deepEqual(cbor.decode(Uint8Array.of(0x5f, 0x41, 1, 0x41, 2, 0xff)).value, Uint8Array.of(1, 2));
  });

  test("bad arguments are LedgerErrors", async () => {
    const c = load("state").find((x) => x.name === "latest_state");
    const v = await alv.LedgerVerifier.create(c.log_vkey, { witnesses: await alv.WitnessPolicy.create(c.witnesses, c.quorum) });
    await assertReason("bad_hash", () => v.verifyState(c.answer, { expectState: "xyz" }));
    await assertReason("bad_hash", () => v.verifyState(c.answer, { expectState: enc("short") }));
    await assertReason("bad_min_size", () => v.verifyState(c.answer, { minSize: -1 }));
    await assertReason("bad_min_size", () => v.verifyState(c.answer, { minSize: "10" }));
    const r = load("receipt").find((x) => x.name === "tlog_proof_entry_5");
    await assertReason("bad_hash", () => v.verifyReceipt(r.receipt, { leafHash: "zz" }));
    await assertReason("bad_hash", () => v.verifyReceipt(r.receipt, { leafHash: 7 }));
    await assertReason("wrong_type", () => v.verifyCheckpoint(7));
    await assertReason("bad_verifier_key", () => alv.LedgerVerifier.create(7, { allowUnwitnessed: true }));
    await assertReason("bad_witness_policy", () => alv.WitnessPolicy.create([7], 1));
    await assertReason("bad_witness_policy", () => alv.WitnessPolicy.create([], -1));
  });

  test("consistency between checkpoints", async () => {
    const c = load("checkpoint").find((x) => x.name === "cosigned_2_of_3");
    const v = await alv.LedgerVerifier.create(c.log_vkey, { witnesses: await alv.WitnessPolicy.create(c.witnesses, c.quorum) });
    const [o, n] = await v.verifyConsistency(c.note, c.note, []);
    assert.equal(o.checkpoint.size, n.checkpoint.size);
    await assertReason("proof_wrong_length", () => v.verifyConsistency(c.note, c.note, ["A".repeat(43) + "="]));
    const u = load("checkpoint").find((x) => x.name === "log_signature_only_quorum_not_met");
    await assertReason("witness_quorum_not_met", () => v.verifyConsistency(u.note, c.note, []));
  });

  test("the witness policy is required", async () => {
    const vkey = load("checkpoint")[0].log_vkey;
    await assertReason("witness_pins_missing", () => alv.LedgerVerifier.create(vkey));
    await assertReason("bad_witness_policy", () => alv.WitnessPolicy.create([vkey + "x"], 1));
    await assertReason("attestation_root_missing", () => alv.LedgerVerifier.create(vkey, { allowUnwitnessed: true, pcr0: "00".repeat(48) }));
    const p = await alv.WitnessPolicy.fromPins({ witness_vkeys: [], witness_quorum: 0 });
    assert.equal(p.quorum, 0);
  });
});
