// Small text files ledgerd reads at start (ledger.json, the manifest, the
// host key, token files, the TSA roots) are read whole with
// ledger::files::ReadFile and split into lines here.
#pragma once

#include <string>
#include <vector>

namespace ledger::ledgerd {

// `text` split at '\n', each line without a trailing '\r'; trailing empty
// lines dropped (a final newline is optional).
std::vector<std::string> TextLines(const std::string& text);

}  // namespace ledger::ledgerd
