// ledgerctl: the operator and auditor command line, callable in-process so
// that tests drive exactly what the binary runs.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "ledger/base/status.h"

namespace ledger::cli {

// Exit codes (documented in docs/ledgerctl.md, stable for scripts).
inline constexpr int kExitOk = 0;
inline constexpr int kExitVerificationFailed = 1;  // a proof, signature or stored datum is bad
inline constexpr int kExitUsage = 2;               // bad arguments or malformed input
inline constexpr int kExitNotFound = 3;            // no such entry, checkpoint, log
inline constexpr int kExitFailed = 4;              // anything else (I/O, precondition)

int ExitCodeFor(const Status& s);

// args excludes the program name.
int RunLedgerctl(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                 std::ostream& err);

}  // namespace ledger::cli
