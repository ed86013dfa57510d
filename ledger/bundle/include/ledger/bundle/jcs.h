// RFC 8785 JSON Canonicalization Scheme (JCS) for nlohmann::json values.
//
// Export bundles carry entries as JSON Lines in canonical form so that two
// exports of the same entries are byte-identical and a verifier can refuse a
// line that was re-serialized (any edit to a canonical line that keeps it
// canonical changes its value, which the leaf check then catches).
// Hand-written because no library Debian ships implements RFC 8785:
// nlohmann::json sorts keys by UTF-8 bytes (RFC 8785 §3.2.3 sorts by UTF-16
// code units) and prints doubles with 17 significant digits where §3.2.2.3
// requires the shortest ECMAScript Number.prototype.toString form.
//
// Thread-safety: free functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ledger/base/status.h"

namespace ledger::bundle {

// The canonical form of `value`. InvalidArgument("jcs_unsupported") for
// values RFC 8785 cannot represent: NaN or infinite numbers, integers beyond
// ±2^53 (I-JSON, RFC 7493 §2.2), binary values, invalid UTF-8.
Result<std::string> CanonicalJson(const nlohmann::json& value);

// The ECMAScript (ECMA-262 §7.1.12.1) string form of a finite double, as
// RFC 8785 §3.2.2.3 requires: "0" for ±0, shortest round-trip digits,
// exponent form "1e+21" / "1e-7" outside [1e-6, 1e21).
std::string FormatEcmaScriptNumber(double value);

}  // namespace ledger::bundle
