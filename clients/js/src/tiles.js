// The root of a tree recomputed from its C2SP tlog-tiles (c2sp.org/tlog-tiles),
// as a tiles client does it: the hashes a server serves are never trusted,
// only the root they hash to, compared with a signed checkpoint's.
import { MalformedError, VerificationError } from "./errors.js";
import { nodeHash } from "./merkle.js";
import { equal, hex, sha256, toBig } from "./util.js";

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
const HASH_SIZE = 32;

/**
 * The tile's path: "tile/<L>/<N>[.p/<W>]", N in groups of three digits, all
 * but the last prefixed with "x" (tlog-tiles "Merkle Tree"). A width of 256
 * is a full tile.
 */
export function tilePath(level, index, width = TILE_WIDTH) {
  let n = toBig(index);
  const groups = [];
  do {
    groups.unshift(String(n % 1000n).padStart(3, "0"));
    n /= 1000n;
  } while (n > 0n);
  const p = groups.map((g, i) => (i < groups.length - 1 ? "x" + g : g)).join("/");
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new MalformedError("bad_tile", `a tile holds 1 to ${TILE_WIDTH} hashes`);
  }
  return `tile/${level}/${p}` + (width === TILE_WIDTH ? "" : `.p/${width}`);
}

// MTH of a perfect run of 2^k hashes.
async function perfectRoot(hashes) {
  let level = hashes;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) next.push(await nodeHash(level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

/**
 * Recomputes the root of the tree of `size` leaves from its tiles.
 * readTile(level, index, width, path) returns the tile's bytes (a Promise of
 * a Uint8Array); each tile is read once. The size's perfect subtrees, largest
 * first, are each read from the tile level that holds it (a subtree of 2^k
 * leaves is 2^(k mod 8) hashes of level floor(k/8), inside one tile), then
 * folded right to left (RFC 9162 §2.1.1). Returns { root, tiles: [paths] }.
 * MalformedError("malformed_tile") when a tile has the wrong length.
 */
export async function rootFromTiles(size, readTile) {
  size = toBig(size);
  if (size === 0n) return { root: await sha256(new Uint8Array(0)), tiles: [] };
  const cache = new Map();
  const getTile = (level, index) => {
    const avail = size >> BigInt(TILE_HEIGHT * level);
    const rest = avail - index * BigInt(TILE_WIDTH);
    const width = rest >= BigInt(TILE_WIDTH) ? TILE_WIDTH : Number(rest);
    const path = tilePath(level, index, width);
    if (!cache.has(path)) {
      cache.set(path, (async () => {
        const body = await readTile(level, index, width, path);
        if (!(body instanceof Uint8Array) || body.length !== HASH_SIZE * width) {
          throw new MalformedError("malformed_tile", `${path} has ${body?.length} bytes, not ${HASH_SIZE * width}`);
        }
        return body;
      })());
    }
    return cache.get(path);
  };
  const subtrees = [];
  let start = 0n;
  for (let k = 63; k >= 0; k--) {
    const width = 1n << BigInt(k);
    if ((size & width) === 0n) continue;
    const level = Math.floor(k / TILE_HEIGHT);
    const per = 1n << BigInt(TILE_HEIGHT * level);
    const first = start / per;
    const count = Number(width / per);
    const tile = await getTile(level, first / BigInt(TILE_WIDTH));
    const offset = Number(first % BigInt(TILE_WIDTH));
    const hashes = [];
    for (let i = 0; i < count; i++) {
      const at = (offset + i) * HASH_SIZE;
      hashes.push(tile.slice(at, at + HASH_SIZE));
    }
    subtrees.push(await perfectRoot(hashes));
    start += width;
  }
  let root = subtrees[subtrees.length - 1];
  for (let i = subtrees.length - 2; i >= 0; i--) root = await nodeHash(subtrees[i], root);
  return { root, tiles: [...cache.keys()] };
}

/** VerificationError("root_mismatch") unless the tiles of checkpoint.size hash to checkpoint.root. */
export async function verifyTiles(checkpoint, readTile) {
  const { root, tiles } = await rootFromTiles(checkpoint.size, readTile);
  if (!equal(root, checkpoint.root)) {
    throw new VerificationError("root_mismatch",
      `the tiles do not hash to the signed root: ${hex(root)} from ${tiles.join(", ")}`);
  }
  return tiles;
}
