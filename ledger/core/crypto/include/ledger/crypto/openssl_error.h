// The one conversion of a failed OpenSSL call into a Status.
//
// OpenSSL reports why a call failed on a per-thread error queue, and leaves
// the entries there until someone takes them off. A site that reports a
// failure and does not drain the queue loses the reason and, worse, leaves
// stale entries for the next caller on the thread: code that reads
// ERR_peek_error() or ERR_peek_last_error() to classify its own failure (PEM
// "no start line", for one) then misreads them. Every site that turns an
// OpenSSL failure into a Status goes through OpenSslError, which takes the
// whole queue into the message, so the queue is empty afterwards.
//
// Thread-safety: the queue is per thread; so are these functions.
#pragma once

#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace ledger {

// Takes every entry off the calling thread's OpenSSL error queue, oldest
// first, and returns them as one line ("error:...; error:..."); "" when the
// queue was empty.
std::string DrainOpenSslErrors();

// Status{code, reason, what + ": " + the drained queue}, or just `what` as
// the message when the queue was empty. The queue is empty afterwards. The
// reason stays the caller's: it is part of the public contract.
Status OpenSslError(Code code, std::string reason, std::string_view what);

// The common case: Internal, reason "openssl_error".
Status OpenSslError(std::string_view what);

}  // namespace ledger
