// An HTTP listener that speaks plain HTTP or TLS (cpp-httplib's Server or
// SSLServer), with the certificate reloadable while it serves.
//
// Reload: the SSLServer's own SSL_CTX only starts handshakes; at each
// ClientHello the connection is switched (SSL_set_SSL_CTX) to the context
// built from the files last loaded, so Reload() never modifies a context a
// handshake may be reading. Connections already open keep their
// certificate; a reload that fails keeps the previous one.
//
// Errors (InvalidArgument, stable reasons; the message names the file and
// what is wrong with it):
//   tls_option         cert without key, key without cert, client CA
//                      without cert
//   tls_cert_invalid   the certificate file is missing, unreadable or holds
//                      no PEM certificate
//   tls_key_invalid    the key file is missing, unreadable, readable by
//                      others, or holds no PEM private key
//   tls_key_mismatch   the key is not the certificate's
//   tls_client_ca_invalid  the client CA file is missing or holds no PEM
//                      certificate
//
// Thread-safety: Reload() from any thread while the server serves;
// http() is configured before serving, as any httplib::Server.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ledger/base/status.h"
#include "ledger/tls/server_tls.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace ledger::tls {

class HttpListener {
 public:
  // A plain listener when !tls.enabled(), else the files of `tls` loaded
  // (the errors above). `host` is where the daemon binds: it decides the
  // plaintext-credentials rule (plaintext_credentials.h).
  static Result<std::unique_ptr<HttpListener>> Create(const ServerTls& tls, std::string host);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  httplib::Server& http() { return *http_; }
  bool tls() const { return tls_.enabled(); }

  // Reads the certificate, key and client CA files again (SIGHUP). New
  // handshakes use them; on error nothing changes. FailedPrecondition
  // ("tls_off") on a plain listener.
  Status Reload();

  // CheckRequestCredentials for this listener (credentials_over_plaintext).
  Status CheckCredentials(const httplib::Request& req) const;

 private:
  HttpListener(ServerTls tls, std::string host);
  static int OnClientHello(SSL* ssl, int* alert, void* arg);

  ServerTls tls_;
  std::string host_;
  mutable std::mutex mu_;
  SSL_CTX* current_ = nullptr;             // guarded by mu_; one reference held
  std::unique_ptr<httplib::Server> http_;  // last: stopped and freed first
};

// The subject of the request's verified client certificate in RFC 2253
// form ("CN=kms.frontend,O=Example"): "" on plain HTTP and without a client
// certificate. Only a listener with a client CA asks for one, and its
// handshake fails unless the certificate chains to that CA.
std::string ClientSubject(const httplib::Request& req);

}  // namespace ledger::tls
