#!/usr/bin/env bash
# Compiles AnchorRegistry.sol with the pinned solc-js (ops/setup installs it
# into .deps/npm) and writes, into OUT_DIR (default: this folder):
#   AnchorRegistry.abi.json     the ABI
#   AnchorRegistry.bin          creation bytecode (hex, what a deployment sends)
#   AnchorRegistry.bin-runtime  runtime bytecode (hex, what eth_getCode returns)
# Settings (pinned; changing any of them changes the bytecode): solc 0.8.37,
# optimizer on with 200 runs, evmVersion cancun (the newest fork every major
# EVM chain runs), source named "AnchorRegistry.sol", default metadata.
# A ctest (registry_contract_test) recompiles and compares byte for byte.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT_DIR="${1:-$HERE}"
NPM="$HERE/../../.deps/npm/node_modules"
[ -f "$NPM/solc/index.js" ] || { echo "solc-js not found in .deps/npm: run ops/setup" >&2; exit 1; }
mkdir -p "$OUT_DIR"
NODE_PATH="$NPM" node - "$HERE/AnchorRegistry.sol" "$OUT_DIR" <<'JS'
const fs = require('fs');
const path = require('path');
const solc = require('solc');
const [src, out] = process.argv.slice(2);
if (!solc.version().startsWith('0.8.37+')) throw new Error('solc ' + solc.version() + ' is not 0.8.37');
const input = {
  language: 'Solidity',
  sources: { 'AnchorRegistry.sol': { content: fs.readFileSync(src, 'utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { AnchorRegistry: ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
  },
};
const result = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (result.errors || []).filter((e) => e.severity === 'error' || e.severity === 'warning');
if (errors.length) { for (const e of errors) console.error(e.formattedMessage); process.exit(1); }
const c = result.contracts['AnchorRegistry.sol'].AnchorRegistry;
fs.writeFileSync(path.join(out, 'AnchorRegistry.abi.json'), JSON.stringify(c.abi, null, 1) + '\n');
fs.writeFileSync(path.join(out, 'AnchorRegistry.bin'), c.evm.bytecode.object + '\n');
fs.writeFileSync(path.join(out, 'AnchorRegistry.bin-runtime'), c.evm.deployedBytecode.object + '\n');
JS
