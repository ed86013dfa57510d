#include "ledger/witness_client/witness_client.h"

#include <httplib.h>

#include <set>

#include "ledger/base/hash.h"
#include "ledger/merkle/merkle.h"
#include "ledger/note/cosignature.h"
#include "ledger/tls/client_tls.h"

namespace ledger::witness_client {
namespace {

Status BadConfig(const std::string& why) {
  return Status::InvalidArgument("bad_witness_config", why);
}

struct Url {
  std::string origin;  // scheme://host:port, what httplib::Client takes
  std::string prefix;  // "" or "/path" without a trailing '/'
};

// http(s)://HOST:PORT[/prefix]: what the witness answers is verified either
// way; https keeps the exchange private and the witness authenticated
// (ClientOptions::tls).
Result<Url> ParseUrl(const std::string& url) {
  const std::string_view kScheme = url.starts_with("https://") ? "https://" : "http://";
  if (!url.starts_with(kScheme)) {
    return BadConfig("witness URL must start with http:// or https://: " + url);
  }
  size_t slash = url.find('/', kScheme.size());
  std::string authority = url.substr(kScheme.size(), slash == std::string::npos
                                                         ? std::string::npos
                                                         : slash - kScheme.size());
  size_t colon = authority.rfind(':');
  if (authority.empty() || colon == std::string::npos || colon == 0 ||
      !ParseDecimalU64(authority.substr(colon + 1)).ok()) {
    return BadConfig("witness URL needs HOST:PORT: " + url);
  }
  Url out{std::string(kScheme) + authority, slash == std::string::npos ? "" : url.substr(slash)};
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  return out;
}

// A client for the witness's origin with the configured TLS and timeouts.
Result<std::unique_ptr<httplib::Client>> Connect(const Url& url, const ClientOptions& options) {
  ASSIGN_OR_RETURN(auto http, tls::MakeClient(url.origin, options.tls));
  auto secs = [](std::chrono::milliseconds ms) {
    return std::pair<time_t, time_t>(ms.count() / 1000, (ms.count() % 1000) * 1000);
  };
  http->set_connection_timeout(secs(options.connect_timeout).first,
                               secs(options.connect_timeout).second);
  http->set_read_timeout(secs(options.timeout).first, secs(options.timeout).second);
  http->set_write_timeout(secs(options.timeout).first, secs(options.timeout).second);
  return http;
}

}  // namespace

Result<std::vector<WitnessConfig>> ResolveWitnesses(std::span<const std::string> specs,
                                                    std::span<const std::string> manifest_vkeys) {
  std::vector<WitnessConfig> out;
  std::set<std::string> seen;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) return BadConfig("witness must be NAME=URL: " + spec);
    std::string name = spec.substr(0, eq), url = spec.substr(eq + 1);
    RETURN_IF_ERROR(ParseUrl(url).status());
    if (!seen.insert(name).second) return BadConfig("witness " + name + " given twice");
    std::shared_ptr<const note::Verifier> key;
    for (const std::string& vkey : manifest_vkeys) {
      auto v = note::ParseVerifierKey(vkey);
      if (!v.ok() || (*v)->name() != name) continue;
      if (key) return BadConfig("the manifest names witness " + name + " twice");
      if ((*v)->alg() != note::kAlgCosignatureV1) {
        return BadConfig("witness " + name + " is not a cosignature/v1 key");
      }
      key = std::move(v).value();
    }
    if (!key) return BadConfig("witness " + name + " is not in the manifest");
    out.push_back({std::move(name), std::move(url), std::move(key)});
  }
  return out;
}

Result<std::string> AddSignatures(const std::string& checkpoint_note,
                                  std::span<const note::Signature> lines) {
  ASSIGN_OR_RETURN(note::Note parsed, note::Parse(checkpoint_note));
  for (const note::Signature& s : lines) parsed.signatures.push_back(s);
  return note::Format(parsed);
}

WitnessClient::WitnessClient(WitnessConfig config, ClientOptions options)
    : config_(std::move(config)), options_(options) {}

Answer WitnessClient::AddCheckpoint(const std::string& checkpoint_note,
                                    const Checkpoint& checkpoint, const ProofSource& proofs,
                                    const note::Verifier& log_key) {
  uint64_t old_size = known_size_.load();
  // A size we knew above this checkpoint's: ask from 0 to learn the
  // witness's size; the 409 decides.
  if (old_size > checkpoint.size) old_size = 0;
  Answer a = Post(old_size, checkpoint_note, checkpoint, proofs);
  if (a.outcome == Outcome::kConflict && a.witness_size <= checkpoint.size &&
      a.witness_size != old_size) {
    // tlog-witness: the 409 body is the witness's latest size; prove from it.
    known_size_.store(a.witness_size);
    a = Post(a.witness_size, checkpoint_note, checkpoint, proofs);
  }
  if (a.outcome == Outcome::kCosigned) known_size_.store(checkpoint.size);
  if (a.outcome == Outcome::kConflict) a = Examine(std::move(a), checkpoint, proofs, log_key);
  return a;
}

Result<std::string> WitnessClient::LatestCheckpoint(const std::string& origin) const {
  const std::string who = "witness " + config_.name + ": ";
  ASSIGN_OR_RETURN(Url url, ParseUrl(config_.url));
  ASSIGN_OR_RETURN(auto http, Connect(url, options_));
  auto res = http->Get(url.prefix + "/" + Sha256::Digest(AsBytes(origin)).Hex() + "/checkpoint");
  if (!res) {
    return Status::Unavailable("witness_unavailable",
                               who + "no answer (" + httplib::to_string(res.error()) + ")");
  }
  if (res->status != 200 || res->body.size() > note::kMaxNoteSize) {
    return Status::VerificationFailed(
        "witness_refused", who + "latest checkpoint: HTTP " + std::to_string(res->status));
  }
  return res->body;
}

// Only the log key's signature makes a checkpoint evidence: the notary signs
// nothing that does not extend its head, so a log-signed checkpoint larger
// than the store's head, or one our head does not extend, shows that the
// store was rolled back or forked. Without such a checkpoint the witness's
// 409/422 is not believed.
Answer WitnessClient::Examine(Answer claim, const Checkpoint& checkpoint,
                              const ProofSource& proofs, const note::Verifier& log_key) const {
  const std::string who = "witness " + config_.name + ": ";
  auto faulty = [&](const std::string& why) {
    claim.outcome = Outcome::kFaulty;
    claim.status = Status::VerificationFailed(
        "witness_faulty", claim.status.message() + ", without evidence: " + why);
    return claim;
  };
  auto latest = LatestCheckpoint(checkpoint.origin);
  if (!latest.ok()) return faulty(latest.status().message());
  auto held = VerifyCheckpoint(*latest, log_key);
  if (!held.ok()) return faulty("its latest checkpoint is not signed by the log key");
  const Checkpoint& theirs = held->checkpoint;
  auto conflict = [&](const std::string& why) {
    claim.outcome = Outcome::kConflict;
    claim.status = Status::FailedPrecondition("rollback_detected", who + why);
    claim.evidence = held->note;
    return claim;
  };
  const std::string sizes = "size " + std::to_string(theirs.size) + " signed by the log key; this "
                            "log shows size " + std::to_string(checkpoint.size);
  if (theirs.origin != checkpoint.origin) return faulty("its latest checkpoint is another log's");
  if (theirs.size > checkpoint.size) return conflict("it holds " + sizes);
  if (theirs.size == checkpoint.size) {
    if (theirs.root != checkpoint.root) return conflict("it holds another root at " + sizes);
    return faulty("it holds this very head");
  }
  if (theirs.size == 0) return faulty("it holds the empty log");
  auto proof = proofs(theirs.size, checkpoint.size);
  if (!proof.ok()) {
    // Our side cannot prove it: neither evidence nor a fault; retried later.
    claim.outcome = Outcome::kDown;
    claim.status = proof.status();
    return claim;
  }
  if (!merkle::VerifyConsistency(theirs.size, checkpoint.size, *proof, theirs.root,
                                 checkpoint.root)
           .ok()) {
    return conflict("our head does not extend its " + sizes);
  }
  return faulty("our head extends its " + sizes);
}

Answer WitnessClient::Post(uint64_t old_size, const std::string& checkpoint_note,
                           const Checkpoint& checkpoint, const ProofSource& proofs) {
  Answer a;
  std::string body = "old " + std::to_string(old_size) + "\n";
  if (old_size > 0 && old_size < checkpoint.size) {
    auto proof = proofs(old_size, checkpoint.size);
    if (!proof.ok()) {
      a.status = proof.status();
      return a;  // kDown: our side, retried later
    }
    for (const Hash& h : *proof) body += h.Base64() + "\n";
  }
  body += "\n" + checkpoint_note;
  auto url = ParseUrl(config_.url);
  if (!url.ok()) {
    a.outcome = Outcome::kRefused;
    a.status = url.status();
    return a;
  }
  auto http = Connect(*url, options_);
  if (!http.ok()) {
    a.outcome = Outcome::kRefused;
    a.status = http.status();
    return a;
  }
  auto res = (*http)->Post(url->prefix + "/add-checkpoint", body, "text/plain; charset=utf-8");
  const std::string who = "witness " + config_.name + ": ";
  if (!res) {
    a.status = Status::Unavailable("witness_unavailable",
                                   who + "no answer (" + httplib::to_string(res.error()) + ")");
    return a;
  }
  const int code = res->status;
  if (code == 200) return Verify(checkpoint_note, res->body);
  std::string reason = res->body.substr(0, 200);
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();
  if (code == 409) {
    // The body is "<size>\n" (text/x.tlog.size); anything else is a refusal.
    std::string_view b = res->body;
    auto size = b.ends_with('\n') ? ParseDecimalU64(b.substr(0, b.size() - 1))
                                  : Result<uint64_t>(Status::InvalidArgument("bad", "bad"));
    if (!size.ok()) {
      a.outcome = Outcome::kRefused;
      a.status = Status::VerificationFailed("witness_refused", who + "malformed 409 body");
      return a;
    }
    a.outcome = Outcome::kConflict;
    a.witness_size = *size;
    a.status = Status::FailedPrecondition(
        "rollback_detected", who + "it cosigned size " + std::to_string(*size) +
                                 "; this log shows size " + std::to_string(checkpoint.size));
    return a;
  }
  if (code == 422) {
    a.outcome = Outcome::kConflict;
    a.status = Status::FailedPrecondition(
        "rollback_detected", who + "inconsistent with the head it cosigned (" + reason + ")");
    return a;
  }
  if (code >= 500 || code == 408 || code == 429) {
    a.status = Status::Unavailable("witness_unavailable",
                                   who + "HTTP " + std::to_string(code) + " " + reason);
    return a;
  }
  a.outcome = Outcome::kRefused;
  a.status =
      Status::VerificationFailed("witness_refused", who + "HTTP " + std::to_string(code) + " " + reason);
  return a;
}

// The answer is one or more signature lines; the one by this witness's key
// must verify over the checkpoint text (cosignature/v1). Lines by other keys
// are ignored (tlog-witness: clients verify with a note verifier for the
// witness keys).
Answer WitnessClient::Verify(const std::string& checkpoint_note, const std::string& body) const {
  Answer a;
  a.outcome = Outcome::kRefused;
  const std::string who = "witness " + config_.name + ": ";
  auto parsed = note::Parse(checkpoint_note + body);
  auto plain = note::Parse(checkpoint_note);
  if (body.empty() || body.size() > 4096 || !parsed.ok() || !plain.ok()) {
    a.status = Status::VerificationFailed("witness_refused", who + "malformed cosignature lines");
    return a;
  }
  for (size_t i = plain->signatures.size(); i < parsed->signatures.size(); ++i) {
    const note::Signature& s = parsed->signatures[i];
    if (s.name != config_.key->name() || s.key_id != config_.key->key_id()) continue;
    Status v = config_.key->Verify(parsed->text, s.payload);
    if (!v.ok()) {
      a.status = Status::VerificationFailed("witness_refused", who + "bad cosignature");
      return a;
    }
    a.outcome = Outcome::kCosigned;
    a.cosignature = s;
    a.status = Status::Ok();
    return a;
  }
  a.status = Status::VerificationFailed("witness_refused", who + "no cosignature by its key");
  return a;
}

}  // namespace ledger::witness_client
