// The verifiers' witness policy (witness_policy.h).
#include "witness_policy.h"

#include <nlohmann/json.hpp>

#include "commands.h"
#include "ledger/trust/manifest.h"
#include "local_log.h"

namespace ledger::cli {
namespace {

Status BadPins(const std::string& why) {
  return Status::InvalidArgument("bad_pins", "pins file: " + why);
}

Result<Manifest> ReadLogManifest(const std::string& path, const note::Verifier& log_key) {
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  ASSIGN_OR_RETURN(Manifest m, DecodeManifest(AsBytes(bytes)));
  if (m.origin != log_key.name()) {
    return Status::VerificationFailed("pins_other_log",
                                      "the manifest is of " + m.origin + ", not " + log_key.name());
  }
  return m;
}

Result<WitnessPolicy> FromPins(const std::string& path, const note::Verifier& log_key) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return BadPins("not a JSON object");
  if (!j.contains("witness_vkeys") || !j["witness_vkeys"].is_array() ||
      !j.contains("witness_quorum") || !j["witness_quorum"].is_number_unsigned()) {
    return BadPins("witness_vkeys (array) and witness_quorum (number) are required");
  }
  if (j.contains("log_vkey") &&
      (!j["log_vkey"].is_string() || j["log_vkey"].get<std::string>() != log_key.VerifierKey())) {
    return Status::VerificationFailed("pins_other_log",
                                      "the pins' log_vkey is not the --vkey key");
  }
  std::vector<std::string> vkeys;
  for (const auto& w : j["witness_vkeys"]) {
    if (!w.is_string()) return BadPins("witness_vkeys holds strings");
    vkeys.push_back(w.get<std::string>());
  }
  return WitnessPolicy::FromVkeys(vkeys, j["witness_quorum"].get<uint64_t>());
}

}  // namespace

Result<std::optional<Manifest>> NewestManifest(const Args& a, const note::Verifier& log_key) {
  const std::vector<std::string> paths = a.GetAll("manifest");
  if (paths.empty()) return std::optional<Manifest>();
  std::vector<Manifest> manifests;
  std::vector<Hash> digests;
  for (const std::string& path : paths) {
    auto m = ReadLogManifest(path, log_key);
    if (!m.ok()) return m.status().Annotate(path);
    ASSIGN_OR_RETURN(Hash digest, ManifestDigest(*m));
    manifests.push_back(std::move(m).value());
    digests.push_back(digest);
  }
  // The newest is the one no other given manifest names as its predecessor;
  // there must be exactly one (a manifest given twice counts once), or the
  // manifests are not one succession and which one rules is unclear.
  std::optional<size_t> newest;
  for (size_t i = 0; i < manifests.size(); ++i) {
    bool succeeded = false, repeated = false;
    for (size_t j = 0; j < manifests.size(); ++j) {
      if (manifests[j].predecessor && *manifests[j].predecessor == digests[i]) succeeded = true;
      if (j < i && digests[j] == digests[i]) repeated = true;
    }
    if (succeeded || repeated) continue;
    if (newest) {
      return Status::InvalidArgument(
          "conflicting_witness_pins",
          "the --manifest files are not one succession (manifest create --predecessor): the "
          "witnesses would come from the newest, and there is more than one");
    }
    newest = i;
  }
  if (!newest) {
    return Status::InvalidArgument("conflicting_witness_pins",
                                   "the --manifest files name each other as predecessors");
  }
  return std::optional<Manifest>(std::move(manifests[*newest]));
}

std::set<std::string> WitnessPolicyOptions(std::set<std::string> others) {
  others.insert({"manifest", "pins", "witness", "quorum", "allow-unwitnessed"});
  return others;
}

Result<WitnessPolicy> LoadWitnessPolicy(const Args& a, const note::Verifier& log_key) {
  const bool allow = a.Flag("allow-unwitnessed");
  const bool manifest = a.Get("manifest").has_value();
  const auto pins = a.Get("pins");
  const std::vector<std::string> witnesses = a.GetAll("witness");
  const int sources = (manifest ? 1 : 0) + (pins ? 1 : 0) + (witnesses.empty() ? 0 : 1);
  if (sources > 1) {
    return Status::InvalidArgument("conflicting_witness_pins",
                                   "give the witnesses once: --manifest, --pins or --witness");
  }
  if (a.Get("quorum") && witnesses.empty()) {
    return Status::InvalidArgument("bad_quorum", "--quorum goes with --witness keys");
  }
  WitnessPolicy policy;
  if (manifest) {
    // Several --manifest (verify-bundle pins the PCRs of each boot's): the
    // witnesses and K are the newest one's, those of the current deployment.
    ASSIGN_OR_RETURN(std::optional<Manifest> newest, NewestManifest(a, log_key));
    ASSIGN_OR_RETURN(policy, WitnessPolicy::FromVkeys(newest->witnesses, newest->witness_quorum));
  } else if (pins) {
    ASSIGN_OR_RETURN(policy, FromPins(*pins, log_key));
  } else if (!witnesses.empty()) {
    uint64_t quorum = witnesses.size();
    if (auto q = a.Get("quorum")) {
      auto parsed = ParseDecimalU64(*q);
      if (!parsed.ok() || *parsed > witnesses.size() || (*parsed == 0 && !allow)) {
        return Status::InvalidArgument(
            "bad_quorum", "--quorum is 1..the number of --witness keys (0 needs --allow-unwitnessed)");
      }
      quorum = *parsed;
    }
    std::vector<std::string> vkeys;
    for (const std::string& w : witnesses) {
      ASSIGN_OR_RETURN(auto key, LoadVerifierKey(w));
      vkeys.push_back(key->VerifierKey());
    }
    ASSIGN_OR_RETURN(policy, WitnessPolicy::FromVkeys(vkeys, quorum));
  } else if (!allow) {
    return Status::InvalidArgument(
        "witness_pins_missing",
        "a checkpoint is trusted only with the witness quorum: pass the deployment's --manifest "
        "or --pins (or --witness keys with --quorum), or say --allow-unwitnessed");
  }
  // The keys stay: a cosignature of a pinned witness that fails still
  // rejects the checkpoint; only the count is waived.
  if (allow) policy.quorum = 0;
  return policy;
}

std::string DescribeWitnessing(const WitnessPolicy& policy, size_t cosignatures, bool allowed) {
  if (allowed) return "witnesses not required (--allow-unwitnessed)";
  if (policy.quorum == 0) return "the deployment requires no witnesses (quorum 0)";
  return "cosigned by " + std::to_string(cosignatures) + " witnesses (quorum " +
         std::to_string(policy.quorum) + " of " + std::to_string(policy.keys.size()) + " pinned)";
}

}  // namespace ledger::cli
