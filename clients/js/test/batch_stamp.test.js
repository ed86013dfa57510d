// Batch stamps (stamp.md §7) against the worked example an independent
// implementation wrote (tests/vectors/formats/stamp-batch-examples.json): every
// event's stamp verifies alone, every listed tampering is refused with its reason.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as alv from "../src/index.js";
import { batchStampText } from "../src/stamp.js";
import { VECTORS } from "./vector_runner.js";

const v = JSON.parse(readFileSync(join(VECTORS, "..", "formats", "stamp-batch-examples.json"), "utf8"));
const hexb = (h) => new Uint8Array(Buffer.from(h, "hex"));
const events = v.events_hex.map(hexb);

test("every event of the request verifies alone", async () => {
  assert.equal(Buffer.from(batchStampText(v.origin, events.length, hexb(v.root_hex))).toString(), v.batch_text);
  for (const [i, s] of v.stamps_hex.entries()) {
    const stamp = alv.decodeStamp(hexb(s));
    assert.deepEqual([stamp.batch.index, stamp.batch.count], [i, events.length]);
    const who = await alv.verifyStamp(v.origin, events[i], hexb(s), [v.vkey]);
    assert.equal(who.vkey(), v.vkey);
  }
});

test("every tampering is refused with its reason", async () => {
  assert.ok(v.refusals.length >= 10);
  for (const r of v.refusals) {
    await assert.rejects(alv.verifyStamp(r.origin, events[r.event], hexb(r.stamp_hex), [v.vkey]),
      (e) => e.reason === r.reason, r.why);
  }
});
