// Differential test: random mutations of the shared vectors, verified by the
// C++ code (clients_vectors --run, the path in CLIENTS_VECTORS_BIN) and by
// this package, must get the same outcome and reason.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FILES, load, run } from "./vector_runner.js";
import { asBytes, mainField, mutateBytes, mutateJson, putBytes, Rng } from "./mutate.js";

const BIN = process.env.CLIENTS_VECTORS_BIN;
const ROUNDS = Number(process.env.CLIENT_DIFF_ROUNDS || 20);

test("mutations get the C++ verifiers' outcome and reason", { skip: !BIN && "CLIENTS_VECTORS_BIN names the C++ vector tool" }, async () => {
  const rng = new Rng(process.env.CLIENT_DIFF_SEED || "clients-differential-js");
  const cases = [];
  for (const name of FILES) {
    for (const c of load(name)) {
      const field = mainField(c);
      if (!field || !(field in c)) continue;
      const data = asBytes(c, field);
      // Must-fail cases too, fewer rounds: a mutation may make one pass.
      const rounds = c.expect.ok ? ROUNDS : Math.max(1, Math.floor(ROUNDS / 4));
      for (let r = 0; r < rounds; r++) {
        const m = structuredClone(c);
        putBytes(m, field, mutateBytes(rng, data));
        m.name = `${c.name}/bytes-${r}`;
        cases.push(m);
      }
      const t = new TextDecoder().decode(data);
      if ((c.check === "receipt" || c.check === "state") && t.trimStart().startsWith("{") && c.expect.ok) {
        const parsed = JSON.parse(t);
        for (let r = 0; r < ROUNDS; r++) {
          const m = structuredClone(c);
          m[field] = mutateJson(rng, parsed);
          m.name = `${c.name}/json-${r}`;
          cases.push(m);
        }
      }
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "clients-js-"));
  let cpp;
  try {
    const path = join(dir, "cases.json");
    writeFileSync(path, JSON.stringify(cases));
    cpp = JSON.parse(execFileSync(BIN, ["--run", path], { encoding: "utf8", maxBuffer: 256 << 20, timeout: 600000 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(cpp.length, cases.length);
  const mismatches = [];
  for (let i = 0; i < cases.length; i++) {
    const got = await run(cases[i]);
    try {
      assert.deepEqual(got, cpp[i]);
    } catch {
      mismatches.push({ name: cases[i].name, cpp: cpp[i], js: got });
    }
  }
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} of ${cases.length} differ`);
});
