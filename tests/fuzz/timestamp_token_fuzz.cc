// RFC 3161 tokens and responses arrive in export bundles and from TSAs:
// untrusted DER. Reading and verifying must refuse, never crash.
#include <cstddef>
#include <cstdint>

#include "ledger/timestamp/token.h"

namespace {
// The test root of tests/vectors/rfc3161/sample/ca.crt, so that tokens
// mutated from the seed reach the CMS signature and chain checks.
constexpr char kRoot[] = R"(-----BEGIN CERTIFICATE-----
MIIBdTCCARygAwIBAgIUT+QMeq0AhgPQokuQdYKVET++Y1owCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNVGVzdCBUU0EgUm9vdDAgFw0yNjExMjEyMTEwMjNaGA8yMTI2
MTAyODIxMTAyM1owGDEWMBQGA1UEAwwNVGVzdCBUU0EgUm9vdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABCOTIu2KxBhm0pi9K7jcqma8kraiXqiFkarkFWaAvF+8
j22kPgViWFFzeucoBj/Z0Uv5KCCkZu0I0VjlSoKOzEGjQjBAMA8GA1UdEwEB/wQF
MAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBROf0TeYHfzBgby9G65O7Ra
rX7kaTAKBggqhkjOPQQDAgNHADBEAiAz3P2spyzlJJnURCKulG29S/mQRBTxj5xw
e0mwRijY+gIgL05QBH9OZHDIZhuo6xJhILaKyFEn1ey8LQtZWhSprjw=
-----END CERTIFICATE-----
)";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ledger::ByteView input(data, size);
  auto token = ledger::timestamp::TokenFromResponse(input);
  const ledger::ByteView der = token.ok() ? ledger::ByteView(*token) : input;
  auto info = ledger::timestamp::ReadToken(der);
  if (info.ok()) (void)ledger::timestamp::VerifyToken(der, info->digest, kRoot, info->nonce);
  return 0;
}
