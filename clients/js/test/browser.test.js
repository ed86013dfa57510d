// The package in a browser: Debian's headless Chromium runs every shared vector
// (test-browser/index.html, the same cases as vectors.test.js) with the
// browser's own WebCrypto. Skipped without chromium (CHROMIUM names another).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFile, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, sep } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), "..", "..", ".."));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SERVED = [join(ROOT, "clients", "js") + sep, join(ROOT, "tests", "vectors", "clients") + sep];
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".json": "application/json" };

test("every shared vector in headless Chromium", { skip: !existsSync(CHROMIUM) && "chromium is not installed", timeout: 180000 }, async () => {
  const server = createServer((req, res) => {
    const path = normalize(join(ROOT, decodeURIComponent(new URL(req.url, "http://x").pathname)));
    if (!SERVED.some((p) => path.startsWith(p))) {
      res.writeHead(404).end();
      return;
    }
    readFile(path, (err, body) => {
      if (err) res.writeHead(404).end();
      else res.writeHead(200, { "Content-Type": TYPES[extname(path)] || "application/octet-stream" }).end(body);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const profile = mkdtempSync(join(tmpdir(), "clients-js-chromium-"));
  try {
    const url = `http://127.0.0.1:${server.address().port}/clients/js/test-browser/index.html`;
    const dom = await new Promise((resolve, reject) => {
      execFile(CHROMIUM, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--virtual-time-budget=120000", `--user-data-dir=${profile}`,
        "--dump-dom", url], { timeout: 170000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(stdout)));
    });
    const m = /<pre id="result" data-state="(\w+)">([^<]*)<\/pre>/.exec(dom);
    assert.ok(m, "no result in the page: " + dom.slice(0, 500));
    const text = m[2].replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
    assert.equal(m[1], "done", text);
    const result = JSON.parse(text);
    assert.deepEqual(result.fail, []);
    assert.ok(result.pass >= 270, `${result.pass} cases passed`);
    console.log(`chromium: ${result.pass} shared vectors passed`);
  } finally {
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
