// The export's RFC 3161 time-stamp (export-bundle.md §6.1): an independent
// Time Stamping Authority's token over the SHA-256 of export-manifest.json,
// verified offline with OpenSSL's TS API (ledger/timestamp) against the TSA
// roots the auditor pins, with the chain checked at the token's genTime.
//
// Why: the EXPORT_CREATED entry dates the export by the notary's clock; the
// token adds a third party's clock, so the date does not rest on the log
// operator alone (the manifest, and through it every data file, existed no
// later than genTime).
#include "ledger/timestamp/token.h"
#include "verify_internal.h"

namespace ledger::bundle::internal {

void CheckTimestamp(Context& c) {
  const char* name = "export.timestamp";
  const std::string* token = c.File(kExportTimestamp);
  if (!token) return c.Skip(name, "no RFC 3161 token over the manifest");
  const std::string* manifest = c.File(kExportManifest);
  if (!manifest) return c.Fail(name, "no export-manifest.json for the token to cover");
  const Hash digest = Sha256::Digest(*manifest);
  if (!c.options.tsa_ca_pem) {
    auto info = timestamp::ReadToken(AsBytes(*token));
    if (!info.ok()) return c.Fail(name, info.status().ToString());
    if (info->digest != digest) {
      return c.Fail(name, "the token's imprint is not the SHA-256 of export-manifest.json");
    }
    return c.Skip(name, "token over the manifest, genTime " + info->gen_time +
                            "; its signature is not checked: no --tsa-ca pinned");
  }
  auto v = timestamp::VerifyToken(AsBytes(*token), digest, *c.options.tsa_ca_pem);
  if (!v.ok()) return c.Fail(name, v.status().ToString());
  c.Pass(name, "the manifest existed at " + v->gen_time + " (RFC 3161 token, serial " +
                   v->serial_hex + (v->tsa_name.empty() ? "" : ", TSA " + v->tsa_name) +
                   ", chain checked at genTime against the pinned TSA root)");
}

}  // namespace ledger::bundle::internal
