#include "ledger/tls/http_listener.h"

#include <httplib.h>

#include "ledger/crypto/openssl_error.h"
#include "ledger/tls/plaintext_credentials.h"
#include "tls_context.h"

namespace ledger::tls {

HttpListener::HttpListener(ServerTls tls, std::string host)
    : tls_(std::move(tls)), host_(std::move(host)) {}

HttpListener::~HttpListener() {
  http_.reset();  // before current_: a handshake may still read it
  if (current_ != nullptr) SSL_CTX_free(current_);
}

Result<std::unique_ptr<HttpListener>> HttpListener::Create(const ServerTls& tls, std::string host) {
  RETURN_IF_ERROR(CheckServerTls(tls));
  std::unique_ptr<HttpListener> l(new HttpListener(tls, std::move(host)));
  if (!tls.enabled()) {
    l->http_ = std::make_unique<httplib::Server>();
    return l;
  }
  // Load once for the errors; the SSLServer's context gets the same files
  // and the hook that moves each handshake to the current context.
  ASSIGN_OR_RETURN(SslCtxPtr current, NewServerContext(tls));
  l->current_ = current.release();
  HttpListener* self = l.get();
  Status setup;
  auto server = std::make_unique<httplib::SSLServer>([self, &setup](SSL_CTX& ctx) {
    setup = ConfigureServerContext(&ctx, self->tls_);
    SSL_CTX_set_tlsext_servername_callback(&ctx, &HttpListener::OnClientHello);
    SSL_CTX_set_tlsext_servername_arg(&ctx, self);
    return setup.ok();
  });
  RETURN_IF_ERROR(setup);
  if (!server->is_valid()) return OpenSslError("SSL_CTX_new");
  l->http_ = std::move(server);
  return l;
}

// Called for every ClientHello, with or without SNI (OpenSSL runs the
// server_name finaliser unconditionally): switch to the current context
// before the certificate is chosen.
int HttpListener::OnClientHello(SSL* ssl, int*, void* arg) {
  auto* self = static_cast<HttpListener*>(arg);
  std::lock_guard<std::mutex> lock(self->mu_);
  if (SSL_set_SSL_CTX(ssl, self->current_) == nullptr) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  return SSL_TLSEXT_ERR_OK;
}

Status HttpListener::Reload() {
  if (!tls_.enabled()) return Status::FailedPrecondition("tls_off", "the listener is plain HTTP");
  ASSIGN_OR_RETURN(SslCtxPtr fresh, NewServerContext(tls_));
  SSL_CTX_set_tlsext_servername_callback(fresh.get(), &HttpListener::OnClientHello);
  SSL_CTX_set_tlsext_servername_arg(fresh.get(), this);
  SSL_CTX* old = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = current_;
    current_ = fresh.release();
  }
  SSL_CTX_free(old);  // connections switched to it hold their own reference
  return Status::Ok();
}

Status HttpListener::CheckCredentials(const httplib::Request& req) const {
  return CheckRequestCredentials(RefusesPlaintextCredentials(tls_, host_),
                                 req.get_header_value("Authorization"));
}

std::string ClientSubject(const httplib::Request& req) {
  if (req.ssl == nullptr) return "";
  X509* peer = SSL_get1_peer_certificate(req.ssl);
  if (peer == nullptr) return "";
  X509Ptr owned(peer);
  // Only a certificate the handshake verified against the client CA.
  if (SSL_get_verify_result(req.ssl) != X509_V_OK) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "";
  X509_NAME_print_ex(bio, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n > 0 ? n : 0));
  BIO_free(bio);
  return out;
}

}  // namespace ledger::tls
