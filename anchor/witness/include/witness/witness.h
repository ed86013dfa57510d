// A C2SP tlog-witness (c2sp.org/tlog-witness): for each log it knows, it keeps
// the latest checkpoint it cosigned and cosigns a new one (cosignature/v1,
// Ed25519) only if it is signed by the log and provably consistent with it.
//
// Invariant: the witness never cosigns two inconsistent checkpoints of one
// log, even across crashes. The check against the stored latest checkpoint and
// the synced write of the new one happen under one mutex, and the write is
// durable before the cosignature leaves AddCheckpoint.
//
// Stored state (its own StateStore, state_store.h): per origin, the latest
// cosigned checkpoint note: its text, the log's signatures that verified, and
// the witness's own cosignature, which is checked again on every read (a
// changed byte or a different witness key is reported, not trusted).
//
// Replies carry the HTTP status and body the spec defines; errors have a
// plain-text body "<reason>\n" with a stable snake_case reason.
//
// Thread-safety: AddCheckpoint and LatestCheckpoint may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/status.h"
#include "ledger/note/checkpoint.h"
#include "ledger/note/cosignature.h"
#include "ledger/note/note.h"
#include "witness/state_store.h"

namespace anchor::witness {

inline constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";
// tlog-witness §add-checkpoint: the body of a 409.
inline constexpr std::string_view kTlogSize = "text/x.tlog.size";

struct Reply {
  int status = 200;
  std::string content_type = std::string(kTextPlain);
  std::string body;
};

// One witnessed log: its origin and the keys that sign its checkpoints.
struct LogConfig {
  std::string origin;
  std::vector<std::shared_ptr<const ledger::note::Verifier>> keys;
};

class Witness {
 public:
  // REQUIRES: store outlives the witness. InvalidArgument("bad_config") for no
  // logs, an invalid origin, a log without keys or a duplicate origin.
  static ledger::Result<std::unique_ptr<Witness>> Create(
      StateStore* store, std::unique_ptr<ledger::note::CosignatureV1Signer> signer,
      std::vector<LogConfig> logs);

  // POST /add-checkpoint with this body.
  Reply AddCheckpoint(std::string_view body);
  // GET /<lowercase hex SHA-256(origin)>/checkpoint.
  Reply LatestCheckpoint(std::string_view origin_hash_hex);

  const ledger::note::CosignatureV1Signer& signer() const { return *signer_; }

  // GET /metrics: Prometheus text format 0.0.4. Per log ({log="ORIGIN"}):
  // witness_cosignatures_total, witness_cosigned_size; per refusal reason
  // ({reason="..."}, the error body's word, "old_size_mismatch" for a 409):
  // witness_refusals_total.
  std::string Metrics() const;

 private:
  // Figures per log, created with the witness (the map never changes after).
  struct LogFigures {
    std::atomic<uint64_t> cosignatures{0};
    std::atomic<uint64_t> cosigned_size{0};
  };
  Reply Check(std::string_view body);
  struct Latest {
    ledger::Checkpoint checkpoint;
    std::string note;
  };
  struct Log {
    LogConfig config;
    std::vector<const ledger::note::Verifier*> known;
  };
  Witness(StateStore* store, std::unique_ptr<ledger::note::CosignatureV1Signer> signer);

  // The stored latest checkpoint of origin; NotFound("missing_key") if none,
  // Corruption("corrupt_state") if its record is garbled or it does not carry
  // our valid cosignature.
  ledger::Result<Latest> Load(const std::string& origin) const;

  StateStore* store_;
  std::unique_ptr<ledger::note::CosignatureV1Signer> signer_;
  std::unique_ptr<ledger::note::Verifier> self_;  // our own vkey, to check stored state
  std::map<std::string, Log, std::less<>> logs_;           // by origin
  std::map<std::string, std::string, std::less<>> by_hash_;  // hex SHA-256(origin) -> origin
  std::mutex mu_;  // serialises check-and-persist in AddCheckpoint
  std::map<std::string, LogFigures, std::less<>> figures_;  // by origin
  mutable std::mutex refusals_mu_;
  std::map<std::string, uint64_t, std::less<>> refusals_;  // by reason
};

}  // namespace anchor::witness
