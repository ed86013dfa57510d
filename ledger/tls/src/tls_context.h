// Building a server SSL_CTX from PEM files, with the stable errors of
// http_listener.h. Files are read through ledger::files (the key as a
// secret: private mode required) and parsed from memory, so that a missing
// file and a malformed one are told apart.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "ledger/base/status.h"
#include "ledger/tls/server_tls.h"

namespace ledger::tls {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// The certificates of a PEM file, at least one; InvalidArgument(`reason`)
// naming the file otherwise.
Result<std::vector<X509Ptr>> ReadPemCertificates(const std::string& path,
                                                 const std::string& reason);

// InvalidArgument("tls_option") for an incomplete ServerTls.
Status CheckServerTls(const ServerTls& tls);

// Loads certificate chain, key and client CA into `ctx` (TLS 1.2 at least;
// with a client CA: a verified client certificate required).
Status ConfigureServerContext(SSL_CTX* ctx, const ServerTls& tls);

// A new server context configured from `tls`.
Result<SslCtxPtr> NewServerContext(const ServerTls& tls);

}  // namespace ledger::tls
