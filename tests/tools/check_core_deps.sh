#!/usr/bin/env bash
# The core (Merkle math, formats, verifier, sequencer) must stay free of
# storage, serialization and HTTP libraries: the notary enclave links it.
set -euo pipefail
root=${1:?source dir}
bad=$(grep -rnE '#include\s*[<"](rocksdb/|google/protobuf/|httplib\.h|nlohmann/|.*\.pb\.h)' \
        "$root/ledger/core" || true)
if [ -n "$bad" ]; then
  echo "forbidden include in ledger/core:"; echo "$bad"; exit 1
fi
libs=$(grep -E 'PUBLIC_DEPS|PRIVATE_DEPS|target_link_libraries' "$root/ledger/core/CMakeLists.txt" || true)
if echo "$libs" | grep -qiE 'rocksdb|protobuf|httplib|nlohmann|schemas'; then
  echo "ledger/core links a forbidden library: $libs"; exit 1
fi
echo "ledger/core depends on OpenSSL only"
