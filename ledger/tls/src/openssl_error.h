// OpenSSL's error queue as text: the one place the TLS library converts it.
#pragma once

#include <string>

namespace ledger::tls {

// Drains the thread's OpenSSL error queue: "" when empty, else the
// reasons joined by "; " (for a Status message).
std::string DrainOpensslErrors();

}  // namespace ledger::tls
