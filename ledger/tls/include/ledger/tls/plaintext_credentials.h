// The plaintext-credentials rule: an HTTP Basic token (RFC 7617) is a
// bearer secret, so it crosses the network only inside TLS. A listener on
// plain HTTP takes credentials only when it is bound to loopback, where
// nothing but this machine can see them.
//
// Thread-safety: free functions.
#pragma once

#include <string_view>

#include "ledger/base/status.h"
#include "ledger/tls/server_tls.h"

namespace ledger::tls {

// True for "localhost", "::1" (bracketed or not) and addresses in
// 127.0.0.0/8. False for everything else, including "0.0.0.0" and "::",
// which listen on every interface.
bool IsLoopbackHost(std::string_view host);

// Whether a listener on `host` with `tls` must refuse Basic credentials:
// plain HTTP bound to anything but loopback.
bool RefusesPlaintextCredentials(const ServerTls& tls, std::string_view host);

// At start: InvalidArgument("credentials_over_plaintext") when a daemon
// that takes Basic tokens (`takes_credentials`) would take them on a plain,
// non-loopback listener. `what` names the tokens in the message.
Status CheckCredentialsListener(const ServerTls& tls, std::string_view host, bool takes_credentials,
                                std::string_view what);

// Per request: InvalidArgument("credentials_over_plaintext") when
// `authorization` (the request's Authorization header) carries Basic
// credentials and the listener refuses them (answered 403, so that a
// misconfigured client learns why). OK otherwise.
Status CheckRequestCredentials(bool refuses, std::string_view authorization);

}  // namespace ledger::tls
