// Small text files ledgerd reads at start (ledger.json, the manifest, the
// host key, token files, the TSA roots): read whole, split into lines.
#pragma once

#include <string>
#include <vector>

#include "ledger/base/status.h"

namespace ledger::ledgerd {

// The file's bytes; NotFound("no_such_file") when it cannot be read.
Result<std::string> ReadTextFile(const std::string& path);

// `text` split at '\n', each line without a trailing '\r'; trailing empty
// lines dropped (a final newline is optional).
std::vector<std::string> TextLines(const std::string& text);

}  // namespace ledger::ledgerd
