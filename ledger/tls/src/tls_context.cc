#include "tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "ledger/crypto/openssl_error.h"
#include "ledger/files/read_file.h"

namespace ledger::tls {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

Status Bad(const std::string& reason, const std::string& path, const std::string& why) {
  return OpenSslError(Code::kInvalidArgument, reason, path + ": " + why);
}

// Sessions resumed with a client certificate need a session id context.
constexpr unsigned char kSessionContext[] = "ledger-http";

}  // namespace

Result<std::vector<X509Ptr>> ReadPemCertificates(const std::string& path,
                                                 const std::string& reason) {
  auto text = files::ReadFile(path);
  if (!text.ok()) return Bad(reason, path, text.status().reason());
  BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  std::vector<X509Ptr> out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the read past the last certificate
  if (out.empty()) return Bad(reason, path, "no PEM certificate");
  return out;
}

Status CheckServerTls(const ServerTls& tls) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return Status::InvalidArgument("tls_option", "--tls-cert and --tls-key go together");
  }
  if (!tls.client_ca.empty() && tls.cert_file.empty()) {
    return Status::InvalidArgument("tls_option", "--client-ca needs --tls-cert and --tls-key");
  }
  return Status::Ok();
}

Status ConfigureServerContext(SSL_CTX* ctx, const ServerTls& tls) {
  RETURN_IF_ERROR(CheckServerTls(tls));
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  ASSIGN_OR_RETURN(auto chain, ReadPemCertificates(tls.cert_file, "tls_cert_invalid"));
  if (SSL_CTX_use_certificate(ctx, chain[0].get()) != 1) {
    return Bad("tls_cert_invalid", tls.cert_file, "the certificate is not usable");
  }
  SSL_CTX_clear_chain_certs(ctx);
  for (size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
      return Bad("tls_cert_invalid", tls.cert_file, "a chain certificate is not usable");
    }
  }
  auto key_text = files::ReadFile(tls.key_file, {.private_only = true});
  if (!key_text.ok()) return Bad("tls_key_invalid", tls.key_file, key_text.status().reason());
  BioPtr bio(BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size())));
  EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  OPENSSL_cleanse(key_text->data(), key_text->size());
  if (key == nullptr) return Bad("tls_key_invalid", tls.key_file, "no PEM private key");
  const int used = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (used != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return Bad("tls_key_mismatch", tls.key_file,
               "the key does not match the certificate in " + tls.cert_file);
  }
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  if (tls.client_ca.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(auto cas, ReadPemCertificates(tls.client_ca, "tls_client_ca_invalid"));
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const X509Ptr& ca : cas) {
    if (X509_STORE_add_cert(store, ca.get()) != 1 || SSL_CTX_add_client_CA(ctx, ca.get()) != 1) {
      return Bad("tls_client_ca_invalid", tls.client_ca, "a CA certificate is not usable");
    }
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return Status::Ok();
}

Result<SslCtxPtr> NewServerContext(const ServerTls& tls) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return OpenSslError("SSL_CTX_new");
  RETURN_IF_ERROR(ConfigureServerContext(ctx.get(), tls));
  return ctx;
}

}  // namespace ledger::tls
