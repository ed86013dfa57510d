// Runs one case of tests/vectors/clients/*.json with the JavaScript package,
// as generate.cc's Run() does with the C++ code, and returns the same outcome.
// No Node APIs: the browser test (test-browser/) runs the same cases.
import * as alv from "../src/index.js";

export const FILES = ["checkpoint", "merkle", "receipt", "state", "evidence", "leaf", "stamp", "attestation"];

const b64 = (s) => alv.b64decode(s);
const hexb = (s) => alv.parseHex(s);

/** A text field: a string, or {"base64": ...} for bytes that are not UTF-8. */
export function text(v) {
  return v !== null && typeof v === "object" ? b64(v.base64) : v;
}

async function policy(c) {
  if (c.witnesses === null || c.witnesses === undefined) return null;
  return alv.WitnessPolicy.create(c.witnesses, c.quorum);
}

async function verifier(c) {
  const log = await alv.parseVerifierKey(c.log_vkey);
  const witnesses = await policy(c);
  return alv.LedgerVerifier.create(log, {
    witnesses,
    allowUnwitnessed: c.allow_unwitnessed ?? false,
    attestationRoot: c.root !== undefined && c.root !== null ? b64(c.root) : null,
    pcr0: c.pcr0 ?? null,
  });
}

const cosigs = (cs) => cs.map((c) => [c.witness, Number(c.timestamp)]);

export const RUN = {
  async checkpoint(c) {
    const log = await alv.parseVerifierKey(c.log_vkey);
    const v = await alv.verifyCheckpoint(text(c.note), log, await policy(c), c.allow_unwitnessed ?? false);
    return { ok: true, size: Number(v.checkpoint.size), cosignatures: cosigs(v.cosignatures) };
  },
  async merkle(c) {
    if (c.type === "inclusion") {
      await alv.verifyInclusion(c.index, c.size, hexb(c.leaf_hash), c.proof.map(hexb), hexb(c.root));
    } else {
      await alv.verifyConsistency(c.size1, c.size2, c.proof.map(hexb), hexb(c.root1), hexb(c.root2));
    }
    return { ok: true };
  },
  async receipt(c) {
    const v = await (await verifier(c)).verifyReceipt(text(c.receipt), { leafHash: c.leaf_hash ?? null });
    return {
      ok: true, index: Number(v.index), tree_size: Number(v.checkpoint.size),
      cosignatures: cosigs(v.cosignatures), code_checked: v.codeChecked,
    };
  },
  async state(c) {
    const opts = {};
    for (const [k, js] of [["subject", "subject"], ["expect_state", "expectState"], ["min_size", "minSize"], ["stamper", "stamper"], ["kind", "kind"]]) {
      if (k in c) opts[js] = c[k];
    }
    const v = await (await verifier(c)).verifyState(text(c.answer), opts);
    const out = { ok: true, present: v.present, tree_size: Number(v.treeSize) };
    if (v.present) {
      out.index = Number(v.index);
      out.version = Number(v.version);
      out.state_hash = v.stateHash !== null ? alv.hex(v.stateHash) : null;
      out.set_by = v.setByKind !== null ? { kind: v.setByKind, stamper: v.setByStamper } : null;
    }
    out.code_checked = v.codeChecked;
    return out;
  },
  async leaf(c) {
    if (c.type === "recorded_at") {
      alv.checkRecordedAt(BigInt(c.recorded_at_us), c.cosignatures.map(([w, t]) => ({ witness: w, timestamp: BigInt(t) })), c.quorum);
      return { ok: true };
    }
    const leaf = alv.decodeLeaf(hexb(c.leaf));
    const event = alv.decodeEvent(leaf.event);
    return {
      ok: true, index: Number(leaf.index), recorded_at_us: Number(leaf.recordedAtUs),
      prev_leaf_hash: alv.hex(leaf.prevLeafHash), kind: event.kindName, subject: event.subject,
      stamp_bytes: leaf.stamp.length,
    };
  },
  async stamp(c) {
    const keys = [];
    for (const k of c.submitters) keys.push(await alv.parseVerifierKey(k));
    const who = await alv.verifyStamp(c.origin, hexb(c.event), hexb(c.stamp), keys);
    return { ok: true, signer: who.vkey() };
  },
  async attestation(c) {
    const v = await alv.verifyAttestation(b64(c.document), b64(c.root), {
      expectedPcrs: "pcr0" in c ? new Map([[0, hexb(c.pcr0)]]) : null,
      expectedUserData: "user_data" in c ? hexb(c.user_data) : null,
      atUnix: c.at_unix ?? null,
    });
    return { ok: true, public_key: alv.hex(v.publicKey), module_id: v.document.moduleId };
  },
};

/** The outcome as the vectors state it; only LedgerError is an expected failure. */
export async function run(c) {
  try {
    return await RUN[c.check](c);
  } catch (e) {
    if (e instanceof alv.LedgerError) return { ok: false, code: e.code, reason: e.reason };
    throw e;
  }
}
