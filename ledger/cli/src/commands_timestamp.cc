// timestamp, verify-timestamp: RFC 3161 evidence from the command line. An
// auditor checks a token (from a bundle or an anchor record) against data or
// a digest and the TSA root they pin, with no network access.
#include "commands.h"
#include "ledger/files/write_file.h"
#include "ledger/timestamp/token.h"
#include "ledger/timestamp/tsa_client.h"
#include "local_log.h"

namespace ledger::cli {
namespace {

// The SHA-256 digest the token is about: --digest HEX, or the positional
// FILE's contents hashed.
Result<Hash> DigestArgument(const Args& a) {
  if (auto hex = a.Get("digest")) {
    if (a.positional().size() > 1) {
      return Status::InvalidArgument("bad_usage", "give --digest or FILE, not both");
    }
    return Hash::FromHex(*hex);
  }
  if (a.positional().size() < 2) {
    return Status::InvalidArgument("bad_usage", "FILE or --digest HEX is required");
  }
  ASSIGN_OR_RETURN(std::string data, ReadFile(a.positional()[1]));
  return Sha256::Digest(data);
}

nlohmann::json InfoJson(const timestamp::TokenInfo& info) {
  nlohmann::json j = {{"digest", info.digest.Hex()},     {"gen_time", info.gen_time},
                      {"serial", info.serial_hex},       {"policy", info.policy},
                      {"tsa", info.tsa_name}};
  if (info.nonce) j["nonce"] = std::to_string(*info.nonce);
  return j;
}

std::string InfoText(const timestamp::TokenInfo& info) {
  return info.digest.Hex() + " existed at " + info.gen_time + " (TSA " +
         (info.tsa_name.empty() ? std::string("unnamed") : info.tsa_name) + ", serial " +
         info.serial_hex + ", policy " + info.policy + ")\n";
}

}  // namespace

Status CmdTimestamp(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"tsa", "ca", "digest", "out", "json"}));
  ASSIGN_OR_RETURN(std::string url, a.Required("tsa"));
  ASSIGN_OR_RETURN(std::string ca_file, a.Required("ca"));
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  ASSIGN_OR_RETURN(std::string ca, ReadFile(ca_file));
  ASSIGN_OR_RETURN(Hash digest, DigestArgument(a));
  ASSIGN_OR_RETURN(auto stamped, timestamp::RequestTimestamp(url, digest, ca));
  RETURN_IF_ERROR(files::WriteFile(out, AsString(stamped.token)));
  nlohmann::json doc = InfoJson(stamped.info);
  doc["token"] = out;
  o.Print(doc, "OK: " + InfoText(stamped.info));
  return Status::Ok();
}

Status CmdVerifyTimestamp(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"token", "ca", "untrusted", "digest", "json"}));
  ASSIGN_OR_RETURN(std::string token_file, a.Required("token"));
  ASSIGN_OR_RETURN(std::string ca_file, a.Required("ca"));
  ASSIGN_OR_RETURN(std::string ca, ReadFile(ca_file));
  std::string untrusted;
  if (auto u = a.Get("untrusted")) {
    ASSIGN_OR_RETURN(untrusted, ReadFile(*u));
  }
  ASSIGN_OR_RETURN(std::string token, ReadFile(token_file));
  ASSIGN_OR_RETURN(Hash digest, DigestArgument(a));
  // A whole TimeStampResp (.tsr) is accepted as well as a bare token.
  Bytes der = ToBytes(token);
  if (auto from_response = timestamp::TokenFromResponse(der); from_response.ok()) {
    der = std::move(*from_response);
  }
  ASSIGN_OR_RETURN(auto info, timestamp::VerifyToken(der, digest, ca, std::nullopt, untrusted));
  nlohmann::json doc = InfoJson(info);
  doc["verified"] = true;
  o.Print(doc, "OK: " + InfoText(info));
  return Status::Ok();
}

}  // namespace ledger::cli
