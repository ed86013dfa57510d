#include "witness/witness.h"

#include <utility>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/merkle/merkle.h"
#include "ledger/metrics/prometheus.h"
#include "ledger/testing/crash_point.h"
#include "witness/add_checkpoint.h"

namespace anchor::witness {
namespace {

using ledger::Checkpoint;
using ledger::Result;
using ledger::Status;
namespace note = ledger::note;

Reply Error(int status, std::string_view reason) {
  return Reply{status, std::string(kTextPlain), std::string(reason) + "\n"};
}

}  // namespace

Witness::Witness(StateStore* store, std::unique_ptr<note::CosignatureV1Signer> signer)
    : store_(store), signer_(std::move(signer)) {}

Result<std::unique_ptr<Witness>> Witness::Create(
    StateStore* store, std::unique_ptr<note::CosignatureV1Signer> signer,
    std::vector<LogConfig> logs) {
  if (store == nullptr || signer == nullptr) {
    return Status::InvalidArgument("bad_config", "a store and a signer are required");
  }
  if (logs.empty()) return Status::InvalidArgument("bad_config", "no log to witness");
  std::unique_ptr<Witness> w(new Witness(store, std::move(signer)));
  ASSIGN_OR_RETURN(w->self_, note::ParseVerifierKey(w->signer_->VerifierKey()));
  for (auto& log : logs) {
    RETURN_IF_ERROR(ledger::ValidateOrigin(log.origin));
    if (log.keys.empty()) {
      return Status::InvalidArgument("bad_config", "log " + log.origin + " has no key");
    }
    std::string origin = log.origin;
    if (w->logs_.contains(origin)) {
      return Status::InvalidArgument("bad_config", "log " + origin + " given twice");
    }
    Log entry{std::move(log), {}};
    for (const auto& k : entry.config.keys) entry.known.push_back(k.get());
    w->by_hash_.emplace(ledger::Sha256::Digest(origin).Hex(), origin);
    w->logs_.emplace(origin, std::move(entry));
    w->figures_.try_emplace(origin);
  }
  // The sizes already cosigned (for /metrics); a state that cannot be read
  // is reported when a checkpoint of that log arrives.
  for (auto& [origin, figures] : w->figures_) {
    auto latest = w->Load(origin);
    if (latest.ok()) figures.cosigned_size.store(latest->checkpoint.size);
  }
  return w;
}

Result<Witness::Latest> Witness::Load(const std::string& origin) const {
  Latest latest;
  ASSIGN_OR_RETURN(latest.note, store_->Get(origin));
  auto parsed = note::Parse(latest.note);
  if (!parsed.ok()) return Status::Corruption("corrupt_state", "stored checkpoint of " + origin);
  auto cp = Checkpoint::FromText(parsed->text);
  const note::Verifier* self = self_.get();
  if (!cp.ok() || cp->origin != origin ||
      !note::Open(*parsed, std::span<const note::Verifier* const>(&self, 1)).ok()) {
    return Status::Corruption("corrupt_state",
                              "stored checkpoint of " + origin + " lacks a valid cosignature");
  }
  latest.checkpoint = std::move(cp).value();
  return latest;
}

Reply Witness::AddCheckpoint(std::string_view body) {
  Reply reply = Check(body);
  if (reply.status != 200) {
    std::string reason = reply.status == 409 ? "old_size_mismatch" : reply.body;
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    std::lock_guard<std::mutex> lock(refusals_mu_);
    ++refusals_[reason];
  }
  return reply;
}

std::string Witness::Metrics() const {
  ledger::prometheus::Page m;
  m.Family("witness_cosignatures_total", "counter", "cosignatures issued");
  for (const auto& [origin, f] : figures_) {
    m.Sample("witness_cosignatures_total", f.cosignatures.load(), {{"log", origin}});
  }
  m.Family("witness_cosigned_size", "gauge", "size of the latest checkpoint cosigned");
  for (const auto& [origin, f] : figures_) {
    m.Sample("witness_cosigned_size", f.cosigned_size.load(), {{"log", origin}});
  }
  m.Family("witness_refusals_total", "counter",
           "add-checkpoint requests answered without a cosignature, by reason");
  std::lock_guard<std::mutex> lock(refusals_mu_);
  for (const auto& [reason, n] : refusals_) {
    m.Sample("witness_refusals_total", n, {{"reason", reason}});
  }
  return m.str();
}

// tlog-witness §add-checkpoint, checks in the order the spec lists them.
Reply Witness::Check(std::string_view body) {
  auto req = ParseAddCheckpoint(body);
  if (!req.ok()) {
    return Error(req.status().reason() == "body_too_large" ? 413 : 400, req.status().reason());
  }
  auto parsed = note::Parse(req->checkpoint);
  if (!parsed.ok()) return Error(400, "malformed_checkpoint");
  auto cp = Checkpoint::FromText(parsed->text);
  if (!cp.ok()) return Error(400, "malformed_checkpoint");
  auto log = logs_.find(cp->origin);
  if (log == logs_.end()) return Error(404, "unknown_origin");
  // signed-note: no signature from a known key, or a known key's signature
  // fails -> 403.
  auto verified = note::Open(*parsed, log->second.known);
  if (!verified.ok()) {
    return Error(403, verified.status().reason() == "bad_signature" ? "bad_signature"
                                                                    : "unverified_checkpoint");
  }
  if (req->old_size > cp->size) return Error(400, "old_size_too_large");

  std::lock_guard<std::mutex> lock(mu_);
  auto latest = Load(cp->origin);
  if (!latest.ok() && latest.status().code() != ledger::Code::kNotFound) {
    return Error(500, latest.status().reason());
  }
  uint64_t latest_size = latest.ok() ? latest->checkpoint.size : 0;
  if (req->old_size != latest_size) {
    return Reply{409, std::string(kTlogSize), std::to_string(latest_size) + "\n"};
  }
  const ledger::Hash empty = ledger::merkle::EmptyRoot();
  if (cp->size == 0 && cp->root != empty) return Error(422, "bad_empty_root");
  if (req->old_size == 0 && !req->proof.empty()) return Error(422, "unexpected_proof");
  if (req->old_size == cp->size && latest.ok() && latest->checkpoint.root != cp->root) {
    return Error(422, "root_mismatch");
  }
  const ledger::Hash old_root = latest.ok() ? latest->checkpoint.root : empty;
  if (!ledger::merkle::VerifyConsistency(req->old_size, cp->size, req->proof, old_root, cp->root)
           .ok()) {
    return Error(422, "inconsistent_proof");
  }
  // Verified, nothing persisted or cosigned yet (docs/crash-safety.md).
  ledger::CrashPoint("witness.after_verify");

  auto cosig = note::SignText(parsed->text, *signer_);
  if (!cosig.ok()) return Error(500, cosig.status().reason());
  // What is kept (and served to monitors): the text, the log's verified
  // signatures and our cosignature; other signatures are not ours to vouch for.
  note::Note stored{parsed->text, {}};
  for (const auto& sig : parsed->signatures) {
    for (const auto* v : *verified) {
      if (v->name() == sig.name && v->key_id() == sig.key_id) {
        stored.signatures.push_back(sig);
        break;
      }
    }
  }
  stored.signatures.push_back(*cosig);
  const std::string record = note::Format(stored);
  // Durable before the cosignature is released: after a crash the witness
  // still knows what it cosigned.
  ledger::CrashPoint("witness.before_persist");
  if (Status s = store_->Put(cp->origin, record); !s.ok()) return Error(503, "store_unavailable");
  ledger::CrashPoint("witness.after_persist");
  LogFigures& figures = figures_.find(cp->origin)->second;
  figures.cosignatures.fetch_add(1);
  figures.cosigned_size.store(cp->size);
  return Reply{200, std::string(kTextPlain), note::FormatSignatureLine(*cosig)};
}

Reply Witness::LatestCheckpoint(std::string_view origin_hash_hex) {
  auto origin = by_hash_.find(origin_hash_hex);
  if (origin == by_hash_.end()) return Error(404, "unknown_origin");
  auto latest = Load(origin->second);
  if (!latest.ok()) {
    if (latest.status().code() == ledger::Code::kNotFound) return Error(404, "no_checkpoint");
    return Error(500, latest.status().reason());
  }
  return Reply{200, std::string(kTextPlain), std::move(latest)->note};
}

}  // namespace anchor::witness
