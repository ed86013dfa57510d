// The attestation verifier on the genuine AWS Nitro documents of
// tests/vectors/nitro (an independent check of the CBOR, COSE, DER and chain
// code on certificates this project did not make).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as alv from "../src/index.js";

const NITRO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "tests", "vectors", "nitro");
const index = JSON.parse(readFileSync(join(NITRO, "index.json"), "utf8"));
const root = new Uint8Array(readFileSync(join(NITRO, "aws_nitro_enclaves_root_g1.der")));
const doc = (e) => new Uint8Array(readFileSync(join(NITRO, e.file)));

async function reason(d, opts = {}) {
  try {
    await alv.verifyAttestation(d, root, opts);
    return "ok";
  } catch (e) {
    if (e instanceof alv.LedgerError) return e.reason;
    throw e;
  }
}

test("valid documents in their window", async () => {
  const valid = index.filter((e) => e.expected === "valid");
  assert.equal(valid.length, 7);
  for (const e of valid) {
    const v = await alv.verifyAttestation(doc(e), root, { atUnix: e.verify_at_unix });
    assert.equal(v.document.moduleId, e.module_id, e.file);
    assert.equal(await reason(doc(e), { atUnix: e.valid_from_unix - 1 }), "certificate_not_yet_valid", e.file);
    assert.equal(await reason(doc(e), { atUnix: e.valid_until_unix + 1 }), "certificate_expired", e.file);
  }
});

test("the PEM root pins the same", async () => {
  const pem = readFileSync(join(NITRO, "aws_nitro_enclaves_root_g1.pem"), "utf8");
  assert.deepEqual(alv.rootDerOf(pem), root);
});

test("broken documents", async () => {
  const byName = Object.fromEntries(index.map((e) => [e.file.split("/").pop(), e]));
  assert.equal(await reason(doc(byName["NEG_signal_svr2_valid_bytes_bitflip160.cose"])), "bad_cose_signature");
  assert.equal(await reason(doc(byName["base_nitro_validator_real_attestation_AS_PUBLISHED_BROKEN.cose"])), "malformed_cbor");
});

test("every single bit flip of one document fails", async () => {
  const e = index.find((x) => x.file.endsWith("signal_svr2_valid_bytes.cose"));
  const d = doc(e);
  for (let i = 0; i < d.length; i += 7) {
    const flipped = d.slice();
    flipped[i] ^= 1 << (i % 8);
    assert.notEqual(await reason(flipped, { atUnix: e.verify_at_unix }), "ok", `byte ${i}`);
  }
});
