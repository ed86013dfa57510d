// The log's side of a C2SP tlog-witness (c2sp.org/tlog-witness v1.0.0;
// /work/shared/vectors/c2sp/NOTES.md §5): POST <url>/add-checkpoint with
//
//   old <size the witness last cosigned>\n
//   <base64 consistency proof hash>\n...   RFC 9162 proof old -> new
//   \n
//   <checkpoint note>
//
// The client tracks the size each witness last cosigned (0 before it knows:
// "clients may first send old 0 to learn the witness's size"). A 409 carries
// the witness's size (`<size>\n`, text/x.tlog.size): if it is not above ours
// the client fetches a proof from that size and retries once; if it is above
// ours, or the answer is a 422 (inconsistent proof, same size with another
// root), the witness claims to hold a later or different head.
//
// A claim is not evidence: one faulty or malicious witness must not stop the
// log. tlog-witness has no standard "latest checkpoint" endpoint, so the
// client then fetches the witness's monitoring endpoint (anchor/README.md:
// GET <url>/<lowercase hex SHA-256(origin)>/checkpoint) and checks what it
// returns against the log key and our store: a checkpoint signed by the log
// key that is larger than ours, or inconsistent with our store (same size
// with another root, or no consistency proof from it to our head), is
// evidence of a rollback or fork (kConflict). Anything else (no answer,
// not signed by the log key, a checkpoint our head extends) makes the witness
// kFaulty: its refusal is a lie or a fault, and it is left out of the quorum
// for this round. The cosignature a witness returns is verified
// (cosignature/v1, its key from the operator-approved manifest) before it
// counts; its line is returned for the caller to append to the checkpoint.
//
// Thread-safety: one WitnessClient per thread at a time (AddCheckpoint is not
// reentrant); the accessors are safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"
#include "ledger/tls/client_tls.h"

namespace ledger::witness_client {

// One witness: its key name (as in its vkey and cosignature lines), the base
// URL add-checkpoint is posted under ("http://host:port[/prefix]") and its
// cosignature/v1 verifier key.
struct WitnessConfig {
  std::string name;
  std::string url;
  std::shared_ptr<const note::Verifier> key;
};

// Resolves "NAME=URL" specs against the manifest's witness vkeys: NAME must be
// the key name of exactly one manifest witness, each at most once, and URL
// must be http(s)://HOST:PORT[/prefix]. InvalidArgument("bad_witness_config")
// otherwise; a witness key that is not a cosignature/v1 key too.
Result<std::vector<WitnessConfig>> ResolveWitnesses(std::span<const std::string> specs,
                                                    std::span<const std::string> manifest_vkeys);

// The RFC 9162 consistency proof from old_size to new_size of the log.
using ProofSource = std::function<Result<std::vector<Hash>>(uint64_t old_size, uint64_t new_size)>;

enum class Outcome {
  kCosigned,  // a verified cosignature
  kDown,      // unreachable, timeout, 5xx: may come back
  kRefused,   // 400/403/404, a bad cosignature: configuration or protocol error
  // Evidence of a rollback or fork: the witness's latest checkpoint, signed
  // by the log key, is larger than ours or inconsistent with our store.
  kConflict,
  // A 409 above us or a 422 that the witness's own latest checkpoint does not
  // back: the witness is faulty (or lying), the log is not at fault.
  kFaulty,
};

struct Answer {
  Outcome outcome = Outcome::kDown;
  // kCosigned: OK; otherwise Unavailable("witness_unavailable"),
  // VerificationFailed("witness_refused"), FailedPrecondition("rollback_detected")
  // (kConflict) or VerificationFailed("witness_faulty") (kFaulty).
  Status status;
  note::Signature cosignature;  // kCosigned: the verified line's signature
  uint64_t witness_size = 0;    // kConflict or kFaulty from a 409: the size it claimed
  std::string evidence;         // kConflict: the witness's latest checkpoint note
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{1000};  // Default: 1 s
  std::chrono::milliseconds timeout{5000};          // Default: 5 s per request
  // For https witness URLs: the CA their certificates must chain to.
  // Default: the system's trust store.
  tls::ClientTls tls;
};

class WitnessClient {
 public:
  WitnessClient(WitnessConfig config, ClientOptions options = {});

  // Asks the witness to cosign `checkpoint_note` (the log-signed checkpoint
  // `checkpoint`). At most two requests: one from the size we believe it
  // holds, and, after a 409 naming an older size, one from that size; after
  // a 409 above us or a 422, one GET of the witness's latest checkpoint,
  // checked against `log_key` and `proofs` (our store).
  Answer AddCheckpoint(const std::string& checkpoint_note, const Checkpoint& checkpoint,
                       const ProofSource& proofs, const note::Verifier& log_key);

  // GET <url>/<hex SHA-256(origin)>/checkpoint: the latest checkpoint the
  // witness cosigned for that log, unverified. Unavailable("witness_unavailable")
  // without an answer, VerificationFailed("witness_refused") for another status.
  Result<std::string> LatestCheckpoint(const std::string& origin) const;

  const WitnessConfig& config() const { return config_; }
  // The size it last cosigned for us (or told us in a 409).
  uint64_t known_size() const { return known_size_.load(); }

 private:
  Answer Post(uint64_t old_size, const std::string& checkpoint_note, const Checkpoint& checkpoint,
              const ProofSource& proofs);
  Answer Verify(const std::string& checkpoint_note, const std::string& body) const;
  // Turns a claimed conflict into kConflict (with evidence) or kFaulty.
  Answer Examine(Answer claim, const Checkpoint& checkpoint, const ProofSource& proofs,
                 const note::Verifier& log_key) const;

  WitnessConfig config_;
  ClientOptions options_;
  std::atomic<uint64_t> known_size_{0};
};

// checkpoint_note with `lines` appended (signature lines after the log's).
Result<std::string> AddSignatures(const std::string& checkpoint_note,
                                  std::span<const note::Signature> lines);

}  // namespace ledger::witness_client
