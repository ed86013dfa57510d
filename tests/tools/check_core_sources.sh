#!/usr/bin/env bash
# The core layers (ledger/core/<layer>/: Merkle math, formats, verifier,
# sequencer) stay free of storage, serialization and HTTP libraries, and do no
# I/O of their own: no files, no environment, no signals, no logging. The
# notary enclave links them; the host does all I/O. Which layer may link which
# is cmake/LedgerLayers.cmake's (the layer_rules_check ctest).
#
# Test support (ledger/testing, crash points) and daemon plumbing
# (ledger/metrics) live outside ledger/core and are not scanned. ledger/store
# is checked for one thing: no JSON (the end of this script).
set -euo pipefail
root=${1:?source dir}
core=$root/ledger/core
dirs=$(find "$core" -mindepth 2 -maxdepth 2 -type d \( -name src -o -name include \) | sort)
if [ -z "$dirs" ]; then
  echo "no ledger/core/<layer>/src or include folders under $root"; exit 1
fi
fail=0
# shellcheck disable=SC2086
bad=$(grep -rnE '#include\s*[<"](rocksdb/|google/protobuf/|httplib\.h|nlohmann/|.*\.pb\.h)' $dirs || true)
if [ -n "$bad" ]; then
  echo "forbidden include in ledger/core:"; echo "$bad"; fail=1
fi
# Files, environment, signals, logging. The one exception: Status's CHECK
# failure message, written to stderr just before abort() (base/src/status.cc).
io='fopen|freopen|[io]?fstream|std::filesystem|<filesystem>|getenv|setenv|\bsignal\(|sigaction|\braise\(|\bkill\(|std::cerr|std::cout|std::clog|<iostream>|syslog|\bprintf\(|\bputs\(|stderr|stdout'
# shellcheck disable=SC2086
bad=$(grep -rnE "$io" $dirs | grep -vE '/ledger/core/base/src/status\.cc:[0-9]+:.*stderr' || true)
if [ -n "$bad" ]; then
  echo "I/O, environment, signals or logging in ledger/core:"; echo "$bad"; fail=1
fi
libs=$(find "$core" -name CMakeLists.txt -exec grep -HE 'PUBLIC_DEPS|PRIVATE_DEPS|DEPS|target_link_libraries' {} + || true)
if echo "$libs" | grep -qiE 'rocksdb|protobuf|httplib|nlohmann|schemas'; then
  echo "ledger/core links a forbidden library:"; echo "$libs"; fail=1
fi
# ledger/store keeps the log's state and answers proofs; rendering them as
# JSON is ledger/api's (ledger::api), so the store links no JSON library.
store=$root/ledger/store
if [ -d "$store" ]; then
  bad=$(grep -rnE '#include\s*[<"]nlohmann/' "$store" || true)
  if [ -n "$bad" ]; then
    echo "JSON in ledger/store (it belongs in ledger/api):"; echo "$bad"; fail=1
  fi
  if [ -f "$store/CMakeLists.txt" ] && grep -qE 'nlohmann|ledger::codec' "$store/CMakeLists.txt"; then
    echo "ledger/store links a JSON library (nlohmann_json, or ledger::codec which carries it)"; fail=1
  fi
fi
[ "$fail" = 0 ] || exit 1
echo "ledger/core: OpenSSL and libsecp256k1 only; no files, environment, signals or logging"
echo "ledger/store: no JSON"
