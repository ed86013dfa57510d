// ledgerd's options from flags and from a JSON config file.
//
// Every flag has a config key of the same name without the leading "--" and
// with '_' for '-': {"data": "...", "listen": "127.0.0.1:8080",
// "max_batch": 1000, "witness": ["NAME=URL", ...], ...}. Numbers are JSON
// unsigned integers, the rest strings; "witness" is an array of strings.
// Unknown keys, wrong types and out-of-range values are errors. Flags given
// on the command line override the file's values; --witness flags replace
// the file's whole witness list. Both go through ApplyOption, so a value
// means the same in either place.
//
// Thread-safety: free functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/status.h"
#include "ledger/ledgerd/server.h"

namespace ledger::ledgerd {

// Applies one option ("max-batch", "7"). InvalidArgument("bad_option").
Status ApplyOption(std::string_view name, const std::string& value, ServerOptions& options);

// Applies the JSON config file at path. InvalidArgument("bad_config") for a
// file that is not a JSON object, an unknown key or a wrong type; NotFound
// if it cannot be read.
Status ApplyConfigFile(const std::string& path, ServerOptions& options);

// argv (without argv[0]): --config FILE first (wherever it appears), then
// every other flag in order. InvalidArgument on any defect.
Status ParseCommandLine(const std::vector<std::string>& args, ServerOptions& options);

}  // namespace ledger::ledgerd
