// HTTP clients of the daemons (ledgerd's witness client, anchord): an
// https URL is verified against a configured CA, or the system's store
// when none is configured; verification is never turned off.
//
// Thread-safety: MakeClient is a free function; a client is used by one
// thread at a time (httplib::Client).
#pragma once

#include <memory>
#include <string>

#include "ledger/base/status.h"

namespace httplib {
class Client;
}  // namespace httplib

namespace ledger::tls {

struct ClientTls {
  // CA certificates (PEM) an https server's certificate must chain to.
  // Default: "" (the system's trust store).
  std::string ca_file;
  // A client certificate (PEM chain) and key to present to a server that
  // asks for one (ledgerd --client-ca). Both or neither. Default: none.
  std::string cert_file;
  std::string key_file;
};

// The files of `tls` are usable: "tls_option", "tls_ca_invalid",
// "tls_client_cert_invalid" as below. For a clear error at start rather
// than a failed handshake later.
Status CheckClientTls(const ClientTls& tls);

// A client for `origin` ("http://HOST:PORT" or "https://HOST:PORT"). For
// https the server's certificate must chain to the CA and name the host
// (subjectAltName). InvalidArgument: "tls_option" (cert without key),
// "tls_ca_invalid" (CA file missing or without a PEM certificate),
// "tls_client_cert_invalid" (client certificate or key unusable),
// "bad_url" (not http(s)://).
Result<std::unique_ptr<httplib::Client>> MakeClient(const std::string& origin,
                                                    const ClientTls& tls);

}  // namespace ledger::tls
