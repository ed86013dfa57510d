// The TLS settings of one HTTP listener (--tls-cert, --tls-key, --client-ca).
//
// Thread-safety: a plain struct.
#pragma once

#include <string>

namespace ledger::tls {

struct ServerTls {
  // The server's certificate chain (PEM, leaf first) and its private key
  // (PEM, a file only its owner may read). Both or neither. Default: ""
  // (plain HTTP).
  std::string cert_file;
  std::string key_file;
  // CA certificates (PEM) that a client certificate must chain to. With it
  // the handshake fails unless the client presents a valid certificate.
  // Needs cert_file. Default: "" (no client certificate asked).
  std::string client_ca;

  bool enabled() const { return !cert_file.empty(); }
};

}  // namespace ledger::tls
