// Helpers shared by the CBOR, COSE and attestation tests: reading the Nitro
// vectors (tests/vectors/nitro, provenance in its PROVENANCE.md) and naming
// a failure by its stable reason.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"
#include "ledger_test_paths.h"

namespace ledger::nitro_test {

inline const std::string kNitroVectors = LEDGER_TEST_VECTORS "/nitro/";

inline Bytes ReadVectorFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LEDGER_CHECK(static_cast<bool>(in));
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

// "ok" or the failure's reason, so that tests compare one string.
inline std::string Reason(const Status& s) { return s.ok() ? "ok" : s.reason(); }
template <typename T>
std::string Reason(const Result<T>& r) {
  return Reason(r.status());
}

}  // namespace ledger::nitro_test
