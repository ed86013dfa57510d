// What the explorer's web UI verifies with this package: the root of a tree
// recomputed from its tlog-tiles (checked against a straight RFC 9162 MTH),
// and the explorer's entry and state answers, whose shown fields must be what
// their proofs give.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as alv from "../src/index.js";
import { load } from "./vector_runner.js";

const enc = (s) => new TextEncoder().encode(s);

async function assertReason(reason, fn) {
  await assert.rejects(async () => fn(), (e) => {
    assert.ok(e instanceof alv.LedgerError, String(e));
    assert.equal(e.reason, reason, e.message);
    return true;
  });
}

// RFC 9162 §2.1.1, straight from the definition.
async function mth(leaves) {
  if (leaves.length === 0) return new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(0)));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return alv.nodeHash(await mth(leaves.slice(0, k)), await mth(leaves.slice(k)));
}

// The tiles of a tree (tlog-tiles "Merkle Tree"): level L holds the hashes of
// the perfect subtrees of 256^L leaves, 256 to a tile, the last one partial.
async function tilesOf(leaves) {
  const tiles = new Map();
  let level = leaves;
  for (let l = 0; level.length > 0; l++) {
    for (let i = 0; i * 256 < level.length; i++) {
      const part = level.slice(i * 256, i * 256 + 256);
      const body = new Uint8Array(part.length * 32);
      part.forEach((h, j) => body.set(h, j * 32));
      for (let w = 1; w <= part.length; w++) tiles.set(alv.tilePath(l, i, w), body.slice(0, w * 32));
    }
    const next = [];
    for (let i = 0; (i + 1) * 256 <= level.length; i++) next.push(await mth(level.slice(i * 256, i * 256 + 256)));
    level = next;
  }
  return tiles;
}

describe("tiles", () => {
  test("tile paths as tlog-tiles spells them", () => {
    assert.equal(alv.tilePath(0, 1234067), "tile/0/x001/x234/067");
    assert.equal(alv.tilePath(0, 1234067, 8), "tile/0/x001/x234/067.p/8");
    assert.equal(alv.tilePath(1, 0, 256), "tile/1/000");
    assert.equal(alv.tilePath(2, 1000n, 1), "tile/2/x001/000.p/1");
    assert.throws(() => alv.tilePath(0, 0, 0), alv.MalformedError);
    assert.throws(() => alv.tilePath(0, 0, 257), alv.MalformedError);
  });

  test("the root from the tiles is the MTH at every size", async () => {
    const n = 256 * 2 + 70;
    const leaves = [];
    for (let i = 0; i < n; i++) leaves.push(await alv.leafHash(enc(`leaf ${i}`)));
    const tiles = await tilesOf(leaves);
    const read = async (level, index, width, path) => tiles.get(path);
    const sizes = [0, 1, 2, 3, 5, 8, 255, 256, 257, 300, 511, 512, 513, n];
    for (const size of sizes) {
      const { root } = await alv.rootFromTiles(size, read);
      assert.deepEqual(root, await mth(leaves.slice(0, size)), `size ${size}`);
    }
    const size = 513;
    const root = await mth(leaves.slice(0, size));
    const read513 = await alv.verifyTiles({ size: BigInt(size), root }, read);
    assert.deepEqual(read513, ["tile/1/000.p/2", "tile/0/002.p/1"]);
  });

  test("a flipped byte, a short tile or another root is refused", async () => {
    const leaves = [];
    for (let i = 0; i < 300; i++) leaves.push(await alv.leafHash(enc(`leaf ${i}`)));
    const tiles = await tilesOf(leaves);
    const root = await mth(leaves);
    const cp = { size: 300n, root };
    const flipped = async (level, index, width, path) => {
      const t = tiles.get(path).slice();
      t[t.length >> 1] ^= 1;
      return t;
    };
    await assertReason("root_mismatch", () => alv.verifyTiles(cp, flipped));
    await assertReason("malformed_tile", () => alv.verifyTiles(cp, async (l, i, w, path) => tiles.get(path).subarray(1)));
    await assertReason("malformed_tile", () => alv.verifyTiles(cp, async () => null));
    await assertReason("root_mismatch", () => alv.verifyTiles({ size: 299n, root }, async (l, i, w, p) => tiles.get(p)));
  });
});

const pinsOf = (c) => alv.LedgerVerifier.create(c.log_vkey, { witnesses: { vkeys: c.witnesses, quorum: c.quorum } });

// An entry as GET /v1/entries/{index} shows it, from a receipt vector.
async function explorerEntry(c) {
  const proof = alv.parseTlogProof(c.receipt);
  const leaf = alv.decodeLeaf(proof.extra);
  const stamp = leaf.stamp.length ? alv.decodeStamp(leaf.stamp) : null;
  const checkpoint = new TextDecoder().decode(proof.checkpoint);
  return {
    index: Number(proof.index),
    recorded_at_us: Number(leaf.recordedAtUs),
    leaf: alv.b64encode(proof.extra),
    leaf_hex: alv.hex(proof.extra),
    leaf_hash: alv.hex(await alv.leafHash(proof.extra)),
    prev_leaf_hash: alv.hex(leaf.prevLeafHash),
    event: { kind: "shown, not proven" },
    event_bytes: alv.b64encode(leaf.event),
    ...(stamp ? { stamp: { key_name: stamp.keyName, key_id: "00000000", bytes: alv.b64encode(leaf.stamp) } } : {}),
    receipt: {
      tree_size: Number(alv.parseCheckpointText(checkpoint.slice(0, checkpoint.indexOf("\n\n") + 1)).size),
      inclusion_proof: proof.inclusion.map(alv.b64encode),
      checkpoint,
      tlog_proof: c.receipt,
    },
  };
}

describe("explorer entries", () => {
  const c = load("receipt").find((x) => x.name === "tlog_proof_entry_5");

  test("an honest entry verifies, as text or parsed", async () => {
    const v = await pinsOf(c);
    const e = await explorerEntry(c);
    const r = await alv.verifyExplorerEntry(v, JSON.stringify(e), 5n);
    assert.equal(r.index, 5n);
    assert.equal(alv.hex(r.leafHash), e.leaf_hash);
    await alv.verifyExplorerEntry(v, enc(JSON.stringify(e)), 5);
  });

  test("every shown field that differs from the receipt is refused", async () => {
    const v = await pinsOf(c);
    const e = await explorerEntry(c);
    const other = "00".repeat(32);
    const mutations = {
      index: (x) => { x.index = 4; },
      leaf: (x) => { x.leaf = alv.b64encode(new Uint8Array(60)); },
      leaf_hex: (x) => { x.leaf_hex = "00" + x.leaf_hex.slice(2); },
      leaf_hash: (x) => { x.leaf_hash = other; },
      prev_leaf_hash: (x) => { x.prev_leaf_hash = other; },
      recorded_at_us: (x) => { x.recorded_at_us += 1; },
      event_bytes: (x) => { x.event_bytes = alv.b64encode(enc("another event")); },
      tree_size: (x) => { x.receipt.tree_size -= 1; },
      inclusion_proof: (x) => { x.receipt.inclusion_proof = x.receipt.inclusion_proof.slice(1); },
      checkpoint: (x) => { x.receipt.checkpoint = x.receipt.checkpoint.replace("\n10\n", "\n11\n"); },
      stamp: (x) => { x.stamp = { key_name: "someone-else" }; },
    };
    for (const [name, mutate] of Object.entries(mutations)) {
      const m = structuredClone(e);
      mutate(m);
      await assertReason("entry_mismatch", () => alv.verifyExplorerEntry(v, JSON.stringify(m), 5n)).catch((err) => {
        throw new Error(`${name}: ${err.message}`);
      });
    }
    await assertReason("index_mismatch", () => alv.verifyExplorerEntry(v, JSON.stringify(e), 6n));
    const noReceipt = structuredClone(e);
    delete noReceipt.receipt;
    await assertReason("receipt_missing", () => alv.verifyExplorerEntry(v, JSON.stringify(noReceipt), 5n));
    const tampered = structuredClone(e);
    tampered.receipt.tlog_proof = load("receipt").find((x) => x.name === "leaf_altered").receipt;
    await assertReason("root_mismatch", () => alv.verifyExplorerEntry(v, JSON.stringify(tampered), 5n));
  });

  test("the log key alone is not enough", async () => {
    const v = await alv.LedgerVerifier.create(c.log_vkey, { witnesses: { vkeys: c.witnesses, quorum: 3 } });
    await assertReason("witness_quorum_not_met", async () => alv.verifyExplorerEntry(v, JSON.stringify(await explorerEntry(c)), 5n));
  });
});

describe("explorer state answers", () => {
  const cases = load("state");

  // The "state" summary the explorer shows beside the proof (VerifiedStateToJson).
  const withSummary = (c) => {
    const j = JSON.parse(c.answer);
    const x = c.expect;
    const mapLine = j.checkpoint.split("\n").find((l) => l.startsWith("map "));
    j.state = { present: x.present, tree_size: x.tree_size, map_root: mapLine.slice(4) };
    if (x.present) Object.assign(j.state, { index: x.index, version: x.version, state_hash: x.state_hash });
    return j;
  };

  test("present and absent answers verify with their summary", async () => {
    for (const name of ["latest_state", "present_without_state", "absent_subject"]) {
      const c = cases.find((x) => x.name === name);
      const v = await alv.verifyExplorerState(await pinsOf(c), JSON.stringify(withSummary(c)), { subject: c.subject });
      assert.equal(v.present, c.expect.present, name);
    }
  });

  test("a summary that is not the proof's is refused", async () => {
    const c = cases.find((x) => x.name === "latest_state");
    const v = await pinsOf(c);
    const mutations = {
      present: (s) => { s.present = false; },
      tree_size: (s) => { s.tree_size = 9; },
      index: (s) => { s.index = 4; },
      version: (s) => { s.version = 3; },
      state_hash: (s) => { s.state_hash = "11".repeat(32); },
      state_hash_null: (s) => { s.state_hash = null; },
      map_root: (s) => { s.map_root = "22".repeat(32); },
      not_object: (s, j) => { j.state = "latest"; },
    };
    for (const [name, mutate] of Object.entries(mutations)) {
      const j = withSummary(c);
      mutate(j.state, j);
      await assertReason("state_mismatch", () => alv.verifyExplorerState(v, JSON.stringify(j), { subject: c.subject }))
        .catch((err) => { throw new Error(`${name}: ${err.message}`); });
    }
    const absent = cases.find((x) => x.name === "absent_subject");
    const j = withSummary(absent);
    j.state.version = 1;
    await assertReason("state_mismatch", async () => alv.verifyExplorerState(await pinsOf(absent), JSON.stringify(j), { subject: absent.subject }));
    await assertReason("subject_mismatch", () => alv.verifyExplorerState(v, JSON.stringify(withSummary(c)), { subject: "svc/other" }));
  });
});
