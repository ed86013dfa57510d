#include "local_log.h"

#include <openssl/crypto.h>

#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "key_files.h"
#include "ledger/base/clock.h"
#include "ledger/codec/event_json.h"
#include "ledger/files/read_file.h"
#include "ledger/files/write_file.h"
#include "ledger/note/ecdsa_note.h"
#include "ledger/notary_client/notary_address.h"
#include "ledger/record/leaf.h"
#include "ledger/record/stamp.h"
#include "ledger/store_open/store_open.h"
#include "notary/app_proof.h"

namespace ledger::cli {
namespace fs = std::filesystem;
namespace {

// The notary address as ledger.json keeps it: a Unix socket path made
// absolute (ledgerd may start elsewhere), a vsock address as given.
std::string NotaryAddressForConfig(const std::string& address) {
  auto parsed = notary_client::ParseNotaryAddress(address);
  if (parsed.ok() && parsed->kind == notary_client::NotaryAddress::Kind::kVsock) return address;
  return fs::absolute(address).string();
}

Result<Ed25519PrivateKey> ReadSeed(const std::string& path) {
  ASSIGN_OR_RETURN(std::string hex, ReadFile(path));
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
  ASSIGN_OR_RETURN(Bytes seed, HexDecode(hex));
  return Ed25519PrivateKey::FromSeed(seed);
}

// A development log keeps the state map like a notary-backed one: every
// checkpoint carries "map <root>" (schemas/formats/map.md §6).
SequencerOptions DevSequencerOptions() {
  SequencerOptions o;
  o.state_map = true;
  return o;
}

}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    return std::string((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  }
  return files::ReadFile(path, {.allow_pipe = true});
}

Result<std::vector<Record>> ReadRecords(const std::vector<std::string>& positional,
                                        std::istream& in) {
  std::string input;
  if (positional.size() > 1 && positional[1] != "-") {
    ASSIGN_OR_RETURN(input, ReadFile(positional[1]));
  } else {
    input.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::vector<Record> records;
  std::istringstream lines(input);
  std::string line;
  for (size_t n = 1; std::getline(lines, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto r = ParseRecordLine(line);
    if (!r.ok()) return r.status().Annotate("line " + std::to_string(n));
    records.push_back(std::move(r).value());
  }
  return records;
}

Result<Record> ParseRecordLine(std::string_view line) {
  Record r;
  ASSIGN_OR_RETURN(nlohmann::json j, codec::ParseJsonStrict(line, kMaxRecordLineSize));
  if (!j.is_object() || !j.contains("event")) {
    ASSIGN_OR_RETURN(r.event, codec::EventFromJsonValue(j));
    return r;
  }
  for (const auto& [k, v] : j.items()) {
    if (k != "event" && k != "payload" && k != "payload_content_type") {
      return Status::InvalidArgument("unknown_field", "unknown envelope field " + k);
    }
  }
  ASSIGN_OR_RETURN(r.event, codec::EventFromJsonValue(j["event"]));
  if (!j.contains("payload")) return r;
  if (!j["payload"].is_string() ||
      (j.contains("payload_content_type") && !j["payload_content_type"].is_string())) {
    return Status::InvalidArgument("wrong_type", "payload and payload_content_type are strings");
  }
  std::string body = j["payload"].get<std::string>();
  if (body.size() > kMaxPayloadSize) {
    return Status::InvalidArgument("payload_too_large", "payload bodies are at most " +
                                                            std::to_string(kMaxPayloadSize) +
                                                            " bytes");
  }
  store::Payload p;
  p.body = ToBytes(body);
  p.digest = Sha256::Digest(p.body);
  p.content_type = j.value("payload_content_type", "text/plain; charset=utf-8");
  if (r.event.payload_digest && *r.event.payload_digest != p.digest) {
    return Status::InvalidArgument("payload_mismatch",
                                   "payload_digest is not the SHA-256 of payload");
  }
  r.event.payload_digest = p.digest;
  r.payload = std::move(p);
  return r;
}

Status LocalLog::Init(const std::string& dir, const std::string& origin) {
  RETURN_IF_ERROR(ValidateOrigin(origin));
  if (fs::exists(fs::path(dir) / "ledger.json")) {
    return Status::FailedPrecondition("already_initialized", dir + " already holds a log");
  }
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "keys", ec);
  if (ec) return Status::Unavailable("write_failed", "cannot create " + dir + ": " + ec.message());

  ASSIGN_OR_RETURN(auto log_key, Ed25519PrivateKey::Generate());
  ASSIGN_OR_RETURN(auto sub_key, Ed25519PrivateKey::Generate());
  const std::string sub_name = "dev-submitter." + origin;
  Bytes log_seed = log_key.ExportSeed(), sub_seed = sub_key.ExportSeed();
  RETURN_IF_ERROR(
      files::WriteFile(dir + "/keys/log.seed", HexEncode(log_seed) + "\n", {.secret = true}));
  RETURN_IF_ERROR(
      files::WriteFile(dir + "/keys/submitter.seed", HexEncode(sub_seed) + "\n", {.secret = true}));
  RETURN_IF_ERROR(files::WriteFile(dir + "/keys/submitter.name", sub_name + "\n"));
  auto sub_signer = note::NewEd25519Signer(sub_name, std::move(sub_key));
  auto log_signer = note::NewEd25519Signer(origin, std::move(log_key));
  std::string vkey = log_signer->VerifierKey();

  ASSIGN_OR_RETURN(Sequencer seq, Sequencer::Genesis(origin, std::move(log_signer), {},
                                                     SystemClockMicros, DevSequencerOptions()));
  store::RocksDbOptions o;
  o.create_if_missing = true;
  ASSIGN_OR_RETURN(auto kv, store::OpenRocksDb(dir + "/store", o));
  ASSIGN_OR_RETURN(auto verifier, note::ParseVerifierKey(vkey));
  ASSIGN_OR_RETURN(auto st, store::LogStore::Create(std::move(kv), seq.head().checkpoint_note,
                                                    std::move(verifier)));
  nlohmann::json config = {{"origin", origin},
                           {"log_vkey", vkey},
                           {"submitters", {sub_signer->VerifierKey()}}};
  RETURN_IF_ERROR(files::WriteFile(dir + "/log.vkey", vkey + "\n"));
  return files::WriteFile(dir + "/ledger.json", config.dump(2) + "\n");
}

Result<std::unique_ptr<LocalLog>> LocalLog::Open(const std::string& dir, bool writable,
                                                 const std::string& pinned_vkey) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/ledger.json"));
  nlohmann::json config = nlohmann::json::parse(text, nullptr, false);
  if (!config.is_object() || !config["origin"].is_string() || !config["log_vkey"].is_string() ||
      (!config.contains("notary_socket") && !config["submitters"].is_array())) {
    return Status::InvalidArgument("bad_config", dir + "/ledger.json is malformed");
  }
  std::unique_ptr<LocalLog> log(new LocalLog());
  log->dir_ = dir;
  log->vkey_ = pinned_vkey.empty() ? config["log_vkey"].get<std::string>() : pinned_vkey;
  ASSIGN_OR_RETURN(auto verifier, note::ParseVerifierKey(log->vkey_));
  std::shared_ptr<const note::Verifier> pinned(std::move(verifier));
  ASSIGN_OR_RETURN(store::StoreConfig store_config, store::ReadStoreConfig(dir));
  store::StoreOpenOptions open_options;
  open_options.access = writable ? store::StoreAccess::kWriter : store::StoreAccess::kReadOnly;
  ASSIGN_OR_RETURN(auto kv, store::OpenStore(dir, store_config, open_options));
  ASSIGN_OR_RETURN(log->store_, store::LogStore::Open(std::move(kv), pinned));
  if (!writable) return log;

  if (config.contains("notary_socket")) {
    if (!config["notary_socket"].is_string() || !config["submitter_key"].is_string()) {
      return Status::InvalidArgument("bad_config", dir + "/ledger.json: notary settings");
    }
    ASSIGN_OR_RETURN(log->submitter_, ReadSubmitterKey(config["submitter_key"].get<std::string>()));
    std::string manifest_file;
    if (config.contains("manifest") && config["manifest"].is_string()) {
      manifest_file = config["manifest"].get<std::string>();
    }
    ASSIGN_OR_RETURN(log->notary_,
                     notary_host::NotaryHost::Connect(config["notary_socket"].get<std::string>(),
                                               log->vkey_, log->store_.get(),
                                               std::move(manifest_file)));
    return log;
  }

  SubmitterPolicy policy;
  for (const auto& v : config["submitters"]) {
    if (!v.is_string()) return Status::InvalidArgument("bad_config", "submitters must be vkeys");
    ASSIGN_OR_RETURN(auto sv, note::ParseVerifierKey(v.get<std::string>()));
    policy.submitters.push_back({std::shared_ptr<const note::Verifier>(std::move(sv)), {}});
  }
  ASSIGN_OR_RETURN(auto log_key, ReadSeed(dir + "/keys/log.seed"));
  ASSIGN_OR_RETURN(auto sub_key, ReadSeed(dir + "/keys/submitter.seed"));
  ASSIGN_OR_RETURN(std::string sub_name, ReadFile(dir + "/keys/submitter.name"));
  log->submitter_ = note::NewEd25519Signer(Trim(sub_name), std::move(sub_key));
  const std::string origin = log->store_->origin();
  auto signer = note::NewEd25519Signer(origin, std::move(log_key));
  if (signer->VerifierKey() != log->vkey_) {
    return Status::VerificationFailed("wrong_log_key", "keys/log.seed is not the pinned log key");
  }
  ASSIGN_OR_RETURN(auto head, log->store_->ReadHead());
  ASSIGN_OR_RETURN(Sequencer seq,
                   Sequencer::Restore(origin, std::move(signer), std::move(policy), SystemClockMicros,
                                      head.checkpoint_note, head.frontier, head.last_leaf,
                                      head.last_leaf_proof, DevSequencerOptions()));
  log->sequencer_.emplace(std::move(seq));
  return log;
}

Result<SequencedBatch> LocalLog::Append(const std::vector<Record>& records) {
  if (!sequencer_ && !notary_) {
    return Status::FailedPrecondition("read_only", "log opened read-only");
  }
  std::vector<SubmittedEvent> events;
  std::vector<store::Payload> payloads;
  const std::string& origin = store_->origin();
  for (const Record& r : records) {
    ASSIGN_OR_RETURN(Bytes event, EncodeEvent(r.event));
    ASSIGN_OR_RETURN(Bytes stamp, MakeStamp(origin, event, *submitter_));
    events.push_back({std::move(event), std::move(stamp)});
    if (r.payload) payloads.push_back(*r.payload);
  }
  if (notary_) {
    ASSIGN_OR_RETURN(notary_client::Sequenced seq, notary_->Append(events, payloads));
    return std::move(seq.batch);
  }
  const auto& head = sequencer_->head();
  // The development sequencer keeps the state map: the store plans each
  // event's map proofs, as a host does for the notary (map.md §4, §5a, §5b).
  // A stamped event already in the log is refused (replayed_stamp).
  ASSIGN_OR_RETURN(store::LogStore::MapPlan plan, store_->PlanMap(events));
  ASSIGN_OR_RETURN(SequencedBatch batch,
                   sequencer_->Sequence(head.size(), head.range.Root(), events, plan.map_proofs,
                                        plan.stamp_proofs, plan.retention_proofs));
  RETURN_IF_ERROR(store_->Append(batch, payloads));
  return batch;
}

Stamper LocalLog::stamper() const {
  if (!submitter_) return {};
  return Stamper{submitter_->name(), submitter_->key_id()};
}

void LocalLog::UseSubmitter(std::unique_ptr<note::Signer> submitter) {
  submitter_ = std::move(submitter);
}

LocalLog::~LocalLog() = default;

Result<std::unique_ptr<note::Signer>> SubmitterSigner(std::string name, std::string_view alg,
                                                      ByteView secret) {
  if (alg == "ed25519") {
    ASSIGN_OR_RETURN(auto key, Ed25519PrivateKey::FromSeed(secret));
    return note::NewEd25519Signer(std::move(name), std::move(key));
  }
  if (alg == "p256") {
    ASSIGN_OR_RETURN(auto key, P256PrivateKey::FromScalar(secret));
    return note::NewP256Signer(std::move(name), std::move(key));
  }
  if (alg == "secp256k1") return note::NewSecp256k1Signer(std::move(name), secret);
  return Status::InvalidArgument("bad_algorithm",
                                 "submitter key algorithm must be ed25519, p256 or secp256k1");
}

namespace {
// "<name>\n[<alg>\n]<hex secret>\n"; the caller cleanses `text`.
Result<std::unique_ptr<note::Signer>> ParseSubmitterKey(const std::string& text,
                                                        const std::string& path) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("bad_key_file", path + ": " + why);
  };
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() != 2 && lines.size() != 3) return bad("not a submitter key file");
  std::string name(lines[0]);
  if (!note::IsValidKeyName(name)) return bad("bad key name");
  std::string_view alg = lines.size() == 3 ? lines[1] : "ed25519";
  auto secret = HexDecode(lines.back());
  if (!secret.ok()) return bad("bad secret");
  auto signer = SubmitterSigner(std::move(name), alg, *secret);
  OPENSSL_cleanse(secret->data(), secret->size());
  if (!signer.ok()) return bad(signer.status().message());
  return signer;
}
}  // namespace

Result<std::unique_ptr<note::Signer>> ReadSubmitterKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto signer = ParseSubmitterKey(text, path);
  OPENSSL_cleanse(text.data(), text.size());
  return signer;
}

Status LocalLog::InitWithNotary(const std::string& dir, const std::string& socket,
                                const std::string& vkey, const std::string& submitter_key_file,
                                const std::string& manifest_file,
                                const store::StoreConfig& store_config) {
  if (fs::exists(fs::path(dir) / "ledger.json")) {
    return Status::FailedPrecondition("already_initialized", dir + " already holds a log");
  }
  ASSIGN_OR_RETURN(auto verifier, note::ParseVerifierKey(vkey));
  RETURN_IF_ERROR(ReadSubmitterKey(submitter_key_file).status());
  ASSIGN_OR_RETURN(auto client, notary_client::NotaryClient::Connect(socket));
  ASSIGN_OR_RETURN(auto status, client->GetStatus());
  if (status.log_vkey() != vkey) {
    return Status::VerificationFailed("wrong_notary",
                                      "the notary at " + socket + " does not hold log key " + vkey);
  }
  std::error_code ec;
  fs::create_directories(fs::path(dir), ec);
  if (ec) return Status::Unavailable("write_failed", "cannot create " + dir + ": " + ec.message());
  {
    store::StoreOpenOptions open_options;
    open_options.access = store::StoreAccess::kCreate;
    ASSIGN_OR_RETURN(auto kv, store::OpenStore(dir, store_config, open_options));
    ASSIGN_OR_RETURN(auto st, store::LogStore::Create(
                                  std::move(kv), "",
                                  std::shared_ptr<const note::Verifier>(std::move(verifier))));
  }
  auto abs = [](const std::string& p) { return p.empty() ? p : fs::absolute(p).string(); };
  nlohmann::json config = {{"origin", status.origin()},
                           {"log_vkey", vkey},
                           {"notary_socket", NotaryAddressForConfig(socket)},
                           {"submitter_key", abs(submitter_key_file)}};
  if (!manifest_file.empty()) config["manifest"] = abs(manifest_file);
  if (store_config.on_postgres()) {
    config["store"] = {{"postgres", store_config.postgres}};
    if (!store_config.postgres_replica.empty()) {
      config["store"]["postgres_replica"] = store_config.postgres_replica;
    }
  }
  RETURN_IF_ERROR(files::WriteFile(dir + "/log.vkey", vkey + "\n"));
  // The explorer reads ledger.json too: a database password belongs in a
  // libpq password file (PGPASSFILE), not in the connection string.
  return files::WriteFile(dir + "/ledger.json", config.dump(2) + "\n");
}

}  // namespace ledger::cli
