// The notary's serving loop: one host connection at a time, one response
// frame per request frame, on the socket the Platform hands out.
//
// A request whose body does not parse gets an Error response and the
// connection goes on (the length prefix kept the stream in step); a bad
// length prefix (oversize or zero) gets an Error and the connection is
// closed, since the stream can no longer be trusted to be in step. An
// allocation failure (std::bad_alloc) while reading, parsing, handling or
// answering one request is answered Unavailable("out_of_memory") and the
// notary goes on (README "Memory").
//
// Thread-safety: single-threaded; blocks in the platform's accept and read.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "ledger/base/status.h"
#include "notary/enclave.h"
#include "notary/platform.h"

namespace notary {

// Where the loop reports connections and refusals (stderr in the binary).
using LogFn = std::function<void(std::string_view)>;

// Serves frames on a connected socket until the host closes it or the
// stream is out of step. Does not close fd.
ledger::Status ServeConnection(int fd, Enclave& enclave, const LogFn& log);

// Accepts host connections forever; returns only when accepting fails.
ledger::Status Serve(Platform& platform, Enclave& enclave, const LogFn& log);

// What both binaries (notary-enclave, notary-enclave-sim) do once their
// platform is up: boot the enclave, then Serve, with `verify_threads`
// threads checking the events of each batch (notary/verify_pool.h).
// Returns the process exit status (1: it only returns on failure).
int BootAndServe(Platform& platform, const LogFn& log, size_t verify_threads = 1);

// The binaries' --verify-threads N: 1 to 256, or 0 for a bad value.
size_t ParseVerifyThreads(std::string_view value);

// The binaries' LogFn: one line to stderr, prefixed with the program name.
void LogToStderr(std::string_view line);

}  // namespace notary
