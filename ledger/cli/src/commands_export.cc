// export and verify-bundle: compliance export bundles (ledger/export,
// ledger/bundle; schemas/formats/export-bundle.md).
#include <cstdlib>

#include "commands.h"
#include "key_files.h"
#include "ledger/attestation/certificate.h"
#include "ledger/base/clock.h"
#include "ledger/bundle/archive.h"
#include "ledger/bundle/verify.h"
#include "ledger/codec/rfc3339.h"
#include "ledger/export/export.h"
#include "ledger/files/write_file.h"
#include "ledger/timestamp/tsa_client.h"
#include "local_log.h"
#include "witness_policy.h"

namespace ledger::cli {
namespace {

constexpr char kSoftware[] = "ledgerctl 0.1.0";

// RFC 3339 UTC ("2026-01-31T00:00:00Z") or microseconds since the epoch.
Result<std::optional<uint64_t>> TimeOption(const Args& a, const std::string& name) {
  auto v = a.Get(name);
  if (!v) return std::optional<uint64_t>();
  if (!v->empty() && v->find_first_not_of("0123456789") == std::string::npos) {
    ASSIGN_OR_RETURN(uint64_t us, ParseU64(*v, "--" + name));
    return std::optional<uint64_t>(us);
  }
  auto us = codec::ParseRfc3339Micros(*v);
  if (!us.ok()) {
    return Status::InvalidArgument("bad_time", "--" + name + " must be RFC 3339 UTC or microseconds");
  }
  return std::optional<uint64_t>(*us);
}

}  // namespace

Status CmdExport(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "from", "to", "subject", "actor", "kind", "outcome",
                           "request-id", "out", "requester", "tsa", "tsa-ca", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  ASSIGN_OR_RETURN(std::string out, a.Required("out"));
  exporter::ExportRequest req;
  ASSIGN_OR_RETURN(req.from_us, TimeOption(a, "from"));
  ASSIGN_OR_RETURN(req.to_us, TimeOption(a, "to"));
  req.subjects = a.GetAll("subject");
  req.actor = a.Get("actor");
  req.request_id = a.Get("request-id");
  if (auto kind = a.Get("kind")) {
    ASSIGN_OR_RETURN(req.kind, ParseEventKind(*kind));
  }
  if (auto outcome = a.Get("outcome")) {
    ASSIGN_OR_RETURN(req.outcome, ParseOutcome(*outcome));
  }
  std::string tsa_url, tsa_ca;
  if (auto tsa = a.Get("tsa")) {
    tsa_url = *tsa;
    ASSIGN_OR_RETURN(std::string ca_file, a.Required("tsa-ca"));
    ASSIGN_OR_RETURN(tsa_ca, ReadFile(ca_file));
    // The TSA's answer is verified against the pinned CA before it goes in.
    req.timestamp = [&tsa_url, &tsa_ca](const Hash& digest) -> Result<Bytes> {
      ASSIGN_OR_RETURN(auto stamped, timestamp::RequestTimestamp(tsa_url, digest, tsa_ca));
      return std::move(stamped.token);
    };
  }
  const char* user = std::getenv("USER");
  req.requester = a.Get("requester").value_or(user && *user ? user : "ledgerctl");
  req.requester_auth = "local-cli";
  req.created_at_us = SystemClockMicros();
  req.software_version = kSoftware;
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, true));
  req.log_vkey = log->vkey();
  auto append = [&](const Event& e, const store::Payload& p) {
    return log->Append({Record{e, p}});
  };
  ASSIGN_OR_RETURN(bundle::Files files, exporter::CreateExport(log->store(), req, append));
  if (out.ends_with(".tar")) {
    ASSIGN_OR_RETURN(std::string tar,
                     bundle::WriteTar(files, static_cast<int64_t>(req.created_at_us / 1000000)));
    RETURN_IF_ERROR(files::WriteFile(out, tar));
  } else {
    RETURN_IF_ERROR(bundle::WriteBundleDir(files, out));
  }
  auto manifest = nlohmann::json::parse(files[bundle::kExportManifest]);
  auto receipt = nlohmann::json::parse(files[bundle::kExportReceipt]);
  uint64_t export_index = receipt["entry"]["index"].get<uint64_t>();
  // An empty scope has no first or last index (null in --json); its bundle
  // proves the range empty with the two neighbouring leaves.
  const std::string indices = manifest.contains("first_index")
                                  ? manifest["first_index"].dump() + ".." +
                                        manifest["last_index"].dump()
                                  : "none in the scope";
  o.Print({{"out", out},
           {"entries", manifest["counts"]["entries"]},
           {"first_index", manifest.value("first_index", nlohmann::json())},
           {"last_index", manifest.value("last_index", nlohmann::json())},
           {"tree_size", manifest["tree_size"]},
           {"export_entry", export_index},
           {"manifest_sha256", Sha256::Digest(files[bundle::kExportManifest]).Hex()}},
          "exported " + manifest["counts"]["entries"].dump() + " entries (" + indices + ") to " +
              out + "\nrecorded as EXPORT_CREATED entry #" + std::to_string(export_index) + "\n");
  return Status::Ok();
}

Result<bool> CmdVerifyBundle(const Args& a, const Output& o) {
  // --manifest (repeatable) is both the PCR pins of the boot documents and,
  // the newest of them, the witness policy (witness_policy.h).
  RETURN_IF_ERROR(a.Allow(WitnessPolicyOptions({"vkey", "since", "root", "tsa-ca", "json"})));
  if (a.positional().size() != 2) {
    return Status::InvalidArgument("missing_bundle", "one bundle (directory or .tar) is required");
  }
  bundle::VerifyOptions options;
  ASSIGN_OR_RETURN(std::string vkey, a.Required("vkey"));
  ASSIGN_OR_RETURN(auto key, LoadVerifierKey(vkey));
  ASSIGN_OR_RETURN(options.witnesses, LoadWitnessPolicy(a, *key));
  options.log_key = std::move(key);
  if (auto since = a.Get("since")) {
    ASSIGN_OR_RETURN(std::string note, ReadFile(*since));
    options.since_checkpoint = note;
  }
  if (auto root = a.Get("root")) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile(*root));
    ASSIGN_OR_RETURN(options.attestation_root_der, CertificateFromPemOrDer(AsBytes(pem)));
  }
  if (auto ca = a.Get("tsa-ca")) {
    ASSIGN_OR_RETURN(std::string pem, ReadFile(*ca));
    options.tsa_ca_pem = pem;
  }
  for (const std::string& m : a.GetAll("manifest")) {
    ASSIGN_OR_RETURN(Manifest manifest, ReadManifest(m));
    options.notary_manifests.push_back(std::move(manifest));
  }
  ASSIGN_OR_RETURN(bundle::Files files, bundle::ReadBundle(a.positional()[1]));
  bundle::VerifyReport report = bundle::VerifyBundle(files, options);
  nlohmann::json checks = nlohmann::json::array();
  std::string text;
  size_t passed = 0, failed = 0, skipped = 0;
  for (const auto& c : report.checks) {
    const char* verdict = !c.ok ? "FAIL" : c.skipped ? "SKIP" : "PASS";
    (!c.ok ? failed : c.skipped ? skipped : passed)++;
    checks.push_back({{"name", c.name}, {"result", verdict}, {"detail", c.detail}});
    text += std::string(verdict) + "  " + c.name + "  " + c.detail + "\n";
  }
  text += "\n" + std::string(report.ok() ? "bundle verified: " : "BUNDLE FAILED: ") +
          std::to_string(passed) + " passed, " + std::to_string(failed) + " failed, " +
          std::to_string(skipped) + " skipped\n";
  o.Print({{"ok", report.ok()},
           {"passed", passed},
           {"failed", failed},
           {"skipped", skipped},
           {"checks", checks}},
          text);
  return report.ok();
}

}  // namespace ledger::cli
