#include "key_files.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "local_log.h"

namespace ledger::cli {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<Bytes> ReadHexFile(const std::string& path, const std::string& what) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto bytes = HexDecode(Trim(text));
  if (!bytes.ok()) return Status::InvalidArgument("bad_key_file", path + ": not a hex " + what);
  return bytes;
}

Result<P256PublicKey> ReadP256PublicKey(const std::string& path) {
  ASSIGN_OR_RETURN(Bytes raw, ReadHexFile(path, "P-256 public key"));
  return P256PublicKey::FromSec1(raw);
}

Result<P256PrivateKey> ReadOperatorKey(const std::string& path) {
  ASSIGN_OR_RETURN(Bytes scalar, ReadHexFile(path, "P-256 private key"));
  auto key = P256PrivateKey::FromScalar(scalar);
  if (!scalar.empty()) OPENSSL_cleanse(scalar.data(), scalar.size());
  return key;
}

Result<Ed25519PublicKey> ReadQuorumPublicKey(const std::string& path) {
  ASSIGN_OR_RETURN(Bytes raw, ReadHexFile(path, "Ed25519 public key"));
  return Ed25519PublicKey::FromBytes(raw);
}

Result<Manifest> ReadManifest(const std::string& path) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return DecodeManifest(AsBytes(bytes));
}

Result<std::string> Positional(const Args& a, size_t i, const std::string& what) {
  if (a.positional().size() <= i) return Status::InvalidArgument("missing_argument", what + " is required");
  return a.positional()[i];
}

Result<ManifestSubmitter> ParseSubmitter(const std::string& v) {
  auto eq = v.find('=');
  auto colon = v.rfind(':');
  if (eq == std::string::npos || colon == std::string::npos || colon < eq) {
    return Status::InvalidArgument("bad_submitter", "--submitter must be NAME=VKEY:KIND,KIND");
  }
  ManifestSubmitter s{v.substr(0, eq), v.substr(eq + 1, colon - eq - 1), {}};
  std::string kinds = v.substr(colon + 1) + ",";
  for (size_t start = 0, comma; (comma = kinds.find(',', start)) != std::string::npos;
       start = comma + 1) {
    ASSIGN_OR_RETURN(EventKind k, ParseEventKind(kinds.substr(start, comma - start)));
    s.kinds.push_back(k);
  }
  return s;
}

Result<std::vector<ManifestSubmitter>> ParseSubmitters(const Args& a) {
  std::vector<ManifestSubmitter> out;
  for (const std::string& s : a.GetAll("submitter")) {
    ASSIGN_OR_RETURN(ManifestSubmitter sub, ParseSubmitter(s));
    out.push_back(std::move(sub));
  }
  for (const std::string& v : a.GetAll("subjects")) {
    auto eq = v.find('=');
    auto named = [&](const ManifestSubmitter& s) { return s.name == v.substr(0, eq); };
    auto it = eq == std::string::npos ? out.end() : std::find_if(out.begin(), out.end(), named);
    if (it == out.end()) {
      return Status::InvalidArgument(
          "bad_submitter", "--subjects must be NAME=PREFIX,PREFIX for a --submitter NAME");
    }
    std::string prefixes = v.substr(eq + 1) + ",";
    for (size_t start = 0, comma; (comma = prefixes.find(',', start)) != std::string::npos;
         start = comma + 1) {
      it->subjects.push_back(prefixes.substr(start, comma - start));
    }
  }
  return out;
}

std::string SubmitterLine(const ManifestSubmitter& s) {
  std::string text = "submitter " + s.name + " " + s.verifier_key;
  for (EventKind k : s.kinds) text += " " + std::string(EventKindName(k));
  text += " subjects";
  for (const std::string& p : s.subjects) text += " '" + p + "'";
  return text + "\n";
}

nlohmann::json SubmitterJson(const ManifestSubmitter& s) {
  nlohmann::json kinds = nlohmann::json::array();
  for (EventKind k : s.kinds) kinds.push_back(std::string(EventKindName(k)));
  return {{"name", s.name},
          {"verifier_key", s.verifier_key},
          {"kinds", kinds},
          {"subjects", s.subjects}};
}

}  // namespace ledger::cli
