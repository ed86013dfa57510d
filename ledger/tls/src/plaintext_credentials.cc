#include "ledger/tls/plaintext_credentials.h"

#include <arpa/inet.h>

#include <string>

namespace ledger::tls {

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, h.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool RefusesPlaintextCredentials(const ServerTls& tls, std::string_view host) {
  return !tls.enabled() && !IsLoopbackHost(host);
}

Status CheckCredentialsListener(const ServerTls& tls, std::string_view host, bool takes_credentials,
                                std::string_view what) {
  if (!takes_credentials || !RefusesPlaintextCredentials(tls, host)) return Status::Ok();
  return Status::InvalidArgument(
      "credentials_over_plaintext",
      std::string(what) + " would cross the network in clear: listening on " + std::string(host) +
          " (not loopback) without TLS; give --tls-cert and --tls-key, or listen on 127.0.0.1");
}

Status CheckRequestCredentials(bool refuses, std::string_view authorization) {
  if (!refuses) return Status::Ok();
  // RFC 7617 §2: the scheme name is case-insensitive.
  const std::string_view scheme = authorization.substr(0, authorization.find(' '));
  if (scheme.size() != 5) return Status::Ok();
  std::string lower(scheme);
  for (char& c : lower) c = static_cast<char>(c | 0x20);
  if (lower != "basic") return Status::Ok();
  return Status::InvalidArgument("credentials_over_plaintext",
                                 "HTTP Basic credentials over plain HTTP are refused on a "
                                 "non-loopback listener: use https (the token may have been "
                                 "seen on the network; replace it)");
}

}  // namespace ledger::tls
