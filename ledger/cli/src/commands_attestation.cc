// verify-attestation and dev-pki: checking AWS Nitro attestation documents
// against a pinned root, and creating the development PKI the simulated NSM
// signs with. The checks themselves are ledger::VerifyAttestation; this file
// only reads arguments and files.
#include <filesystem>
#include <system_error>

#include "commands.h"
#include "key_files.h"
#include "ledger/attestation/attestation.h"
#include "ledger/attestation/certificate.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/files/write_file.h"
#include "local_log.h"

namespace ledger::cli {
namespace {

// A document file holds raw CBOR (a COSE_Sign1 starts with 0x84 or 0xd2) or
// its base64 text, as the AWS SDKs and most published samples carry it.
Result<Bytes> ReadDocument(const std::string& path) {
  auto file = ReadFile(path);
  if (!file.ok()) return file.status();
  const std::string& data = *file;
  const Bytes raw(data.begin(), data.end());
  if (!raw.empty() && (raw[0] == 0x84 || raw[0] == 0xd2)) return raw;
  std::string b64;
  for (char c : data) {
    if (c != '\n' && c != '\r') b64.push_back(c);
  }
  auto decoded = Base64Decode(b64);
  if (!decoded.ok()) {
    return Status::InvalidArgument("malformed_document",
                                   "document is neither COSE_Sign1 CBOR nor base64");
  }
  return decoded;
}

// --pcr N=HEX, repeatable.
Status ParsePcrs(const Args& a, std::map<uint32_t, Bytes>& out) {
  for (const std::string& spec : a.GetAll("pcr")) {
    const size_t eq = spec.find('=');
    auto bad = [&] {
      return Status::InvalidArgument("bad_pcr", "--pcr wants INDEX=HEX, got " + spec);
    };
    if (eq == std::string::npos) return bad();
    auto index = ParseU64(spec.substr(0, eq), "pcr index");
    auto value = HexDecode(spec.substr(eq + 1));
    if (!index.ok() || *index >= kMaxPcrs || !value.ok()) return bad();
    out[static_cast<uint32_t>(*index)] = std::move(value).value();
  }
  return Status::Ok();
}

nlohmann::json DocumentJson(const AttestationDocument& d) {
  nlohmann::json pcrs = nlohmann::json::object();
  for (const auto& [index, value] : d.pcrs) pcrs[std::to_string(index)] = HexEncode(value);
  auto opt = [](const Bytes& b) { return b.empty() ? nlohmann::json() : nlohmann::json(HexEncode(b)); };
  return {{"module_id", d.module_id},     {"digest", d.digest},
          {"timestamp_ms", d.timestamp_ms}, {"pcrs", pcrs},
          {"cabundle_len", d.cabundle.size()}, {"public_key", opt(d.public_key)},
          {"user_data", opt(d.user_data)}, {"nonce", opt(d.nonce)}};
}

}  // namespace

Status CmdVerifyAttestation(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"root", "at", "pcr", "user-data", "nonce", "json"}));
  ASSIGN_OR_RETURN(std::string root_path, a.Required("root"));
  if (a.positional().size() != 2) {
    return Status::InvalidArgument("missing_document", "one document file is required");
  }
  AttestationPolicy policy;
  ASSIGN_OR_RETURN(std::string root_file, ReadFile(root_path));
  ASSIGN_OR_RETURN(policy.root_der, CertificateFromPemOrDer(AsBytes(root_file)));
  if (a.Get("at")) {
    ASSIGN_OR_RETURN(uint64_t at, a.U64("at", 0));
    policy.at_unix = at;
  }
  RETURN_IF_ERROR(ParsePcrs(a, policy.expected_pcrs));
  if (auto hex = a.Get("user-data")) {
    ASSIGN_OR_RETURN(policy.expected_user_data, HexDecode(*hex));
  }
  if (auto hex = a.Get("nonce")) {
    ASSIGN_OR_RETURN(policy.expected_nonce, HexDecode(*hex));
  }
  ASSIGN_OR_RETURN(Bytes document, ReadDocument(a.positional()[1]));
  ASSIGN_OR_RETURN(VerifiedAttestation v, VerifyAttestation(document, policy));
  const uint64_t at = policy.at_unix.value_or(v.document.timestamp_ms / 1000);
  nlohmann::json j = {{"valid", true}, {"verified_at_unix", at},
                      {"document", DocumentJson(v.document)}};
  o.Print(j, "valid: " + v.document.module_id + " at " + std::to_string(at) +
                 " (public_key " + (v.public_key.empty() ? "absent" : HexEncode(v.public_key)) +
                 ")\n");
  return Status::Ok();
}

Status SaveDevPki(const std::string& dir, const DevPki& pki) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("io_error", "cannot create " + dir + ": " + ec.message());
  ASSIGN_OR_RETURN(DevPkiPem pem, DevPkiToPem(pki));
  const std::filesystem::path base(dir);
  RETURN_IF_ERROR(files::WriteFile((base / kDevPkiRootFile).string(), pem.root));
  RETURN_IF_ERROR(files::WriteFile((base / kDevPkiIntermediateFile).string(), pem.intermediate));
  RETURN_IF_ERROR(files::WriteFile((base / kDevPkiLeafFile).string(), pem.leaf));
  Status s = files::WriteFile((base / kDevPkiLeafKeyFile).string(), pem.leaf_key, {.secret = true});
  std::fill(pem.leaf_key.begin(), pem.leaf_key.end(), '\0');  // best effort: a dev key
  return s;
}

Result<DevPki> LoadDevPki(const std::string& dir) {
  const std::filesystem::path base(dir);
  DevPkiPem pem;
  ASSIGN_OR_RETURN(pem.root, ReadFile((base / kDevPkiRootFile).string()));
  ASSIGN_OR_RETURN(pem.intermediate, ReadFile((base / kDevPkiIntermediateFile).string()));
  ASSIGN_OR_RETURN(pem.leaf, ReadFile((base / kDevPkiLeafFile).string()));
  ASSIGN_OR_RETURN(pem.leaf_key, ReadFile((base / kDevPkiLeafKeyFile).string()));
  return DevPkiFromPem(pem);
}

Status CmdDevPki(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"out", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("out"));
  if (std::filesystem::exists(std::filesystem::path(dir) / kDevPkiLeafKeyFile)) {
    return Status::FailedPrecondition("already_exists", dir + " already holds a PKI");
  }
  ASSIGN_OR_RETURN(DevPki pki, CreateDevPki());
  RETURN_IF_ERROR(SaveDevPki(dir, pki));
  const std::string root = (std::filesystem::path(dir) / kDevPkiRootFile).string();
  o.Print({{"dir", dir}, {"root", root}},
          "development PKI (P-384 root -> intermediate -> leaf) in " + dir +
              "\npin its root with: ledgerctl verify-attestation --root " + Trim(root) + " DOC\n");
  return Status::Ok();
}

}  // namespace ledger::cli
