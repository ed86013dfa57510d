// Certificates for TLS tests, made with OpenSSL's C API: a CA, server
// certificates it issues (subjectAltName 127.0.0.1 and localhost, any
// validity window, so also expired ones) and client certificates with a
// chosen subject. Written as PEM files under a scratch folder; keys are
// mode 0600, as the daemons require of a key file.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace ledger::testing {

class TestPki {
 public:
  struct Files {
    std::string cert;
    std::string key;
  };

  // A fresh CA named `name`, its certificate in dir/<name>.crt.
  TestPki(const std::filesystem::path& dir, const std::string& name) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    key_ = NewKey();
    cert_ = NewCert("CN=" + name, key_, nullptr, nullptr, -3600, 86400, true, false);
    ca_file_ = (dir_ / (name + ".crt")).string();
    WriteCert(cert_, ca_file_);
  }
  ~TestPki() {
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_file() const { return ca_file_; }

  // A server certificate for 127.0.0.1 and localhost, valid from
  // now + not_before_s to now + not_after_s (seconds; negative: past).
  Files Server(const std::string& name, long not_before_s = -3600, long not_after_s = 86400) {
    return Issue(name, "CN=" + name, not_before_s, not_after_s, false);
  }

  // A client certificate whose subject has the attributes of `subject`
  // ("O=b,CN=a") in that order (RFC 2253 prints them reversed).
  Files Client(const std::string& name, const std::string& subject) {
    return Issue(name, subject, -3600, 86400, true);
  }

 private:
  Files Issue(const std::string& name, const std::string& subject, long nb, long na, bool client) {
    EVP_PKEY* key = NewKey();
    X509* cert = NewCert(subject, key, cert_, key_, nb, na, false, client);
    Files f{(dir_ / (name + ".crt")).string(), (dir_ / (name + ".key")).string()};
    WriteCert(cert, f.cert);
    FILE* out = std::fopen(f.key.c_str(), "w");
    if (out == nullptr) throw std::runtime_error("cannot write " + f.key);
    PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(out);
    ::chmod(f.key.c_str(), 0600);
    X509_free(cert);
    EVP_PKEY_free(key);
    return f;
  }

  static EVP_PKEY* NewKey() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    if (key == nullptr) throw std::runtime_error("EVP_EC_gen");
    return key;
  }

  static void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) throw std::runtime_error("X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }

  // issuer == nullptr: self-signed.
  X509* NewCert(const std::string& subject, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                long nb, long na, bool ca, bool client) {
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial_);
    X509_gmtime_adj(X509_getm_notBefore(cert), nb);
    X509_gmtime_adj(X509_getm_notAfter(cert), na);
    X509_NAME* name = X509_NAME_new();
    // "O=b,CN=a": one entry per comma-separated attribute, in order.
    size_t start = 0;
    while (start < subject.size()) {
      size_t comma = subject.find(',', start);
      std::string part =
          subject.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      size_t eq = part.find('=');
      X509_NAME_add_entry_by_txt(name, part.substr(0, eq).c_str(), MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(part.c_str() + eq + 1), -1,
                                 -1, 0);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    X509_set_subject_name(cert, name);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509_NAME_free(name);
    X509_set_pubkey(cert, key);
    X509* signer = issuer ? issuer : cert;
    if (ca) {
      AddExt(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
      AddExt(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
      AddExt(cert, signer, NID_basic_constraints, "CA:FALSE");
      AddExt(cert, signer, NID_ext_key_usage, client ? "clientAuth" : "serverAuth");
      if (!client) AddExt(cert, signer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    }
    X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256());
    return cert;
  }

  static void WriteCert(X509* cert, const std::string& path) {
    FILE* out = std::fopen(path.c_str(), "w");
    if (out == nullptr) throw std::runtime_error("cannot write " + path);
    PEM_write_X509(out, cert);
    std::fclose(out);
  }

  std::filesystem::path dir_;
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  std::string ca_file_;
  long serial_ = 0;
};

}  // namespace ledger::testing
