// The shared vectors (tests/vectors/clients, or CLIENT_VECTORS) read from disk,
// and the runner of test/cases.js.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export { FILES, RUN, run, text } from "./cases.js";

const HERE = dirname(fileURLToPath(import.meta.url));
export const VECTORS = process.env.CLIENT_VECTORS || join(HERE, "..", "..", "..", "tests", "vectors", "clients");

export function load(name) {
  return JSON.parse(readFileSync(join(VECTORS, name + ".json"), "utf8")).cases;
}
