#include "ledger/tls/client_tls.h"

#include <httplib.h>

#include "tls_context.h"

namespace ledger::tls {

Status CheckClientTls(const ClientTls& tls) {
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return Status::InvalidArgument("tls_option", "a client certificate and its key go together");
  }
  if (!tls.ca_file.empty())
    RETURN_IF_ERROR(ReadPemCertificates(tls.ca_file, "tls_ca_invalid").status());
  if (!tls.cert_file.empty()) {
    RETURN_IF_ERROR(ReadPemCertificates(tls.cert_file, "tls_client_cert_invalid").status());
  }
  return Status::Ok();
}

Result<std::unique_ptr<httplib::Client>> MakeClient(const std::string& origin,
                                                    const ClientTls& tls) {
  const bool https = origin.starts_with("https://");
  if (!https && !origin.starts_with("http://")) {
    return Status::InvalidArgument("bad_url", "not an http(s):// URL: " + origin);
  }
  RETURN_IF_ERROR(CheckClientTls(tls));
  auto client = tls.cert_file.empty()
                    ? std::make_unique<httplib::Client>(origin)
                    : std::make_unique<httplib::Client>(origin, tls.cert_file, tls.key_file);
  if (!client->is_valid()) {
    return Status::InvalidArgument(
        tls.cert_file.empty() ? "bad_url" : "tls_client_cert_invalid",
        tls.cert_file.empty()
            ? "not a usable URL: " + origin
            : "client certificate " + tls.cert_file + " or key " + tls.key_file + " is not usable");
  }
  if (https) {
    // Without a CA file httplib loads the system's default paths.
    if (!tls.ca_file.empty()) client->set_ca_cert_path(tls.ca_file);
    client->enable_server_certificate_verification(true);
  }
  return client;
}

}  // namespace ledger::tls
