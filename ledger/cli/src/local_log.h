// A log in a local data directory, written by ledgerctl itself.
//
// Layout of <dir>:
//   ledger.json        origin, the log's vkey, the submitter vkeys (policy)
//   log.vkey           the log's verifier key, for auditors to pin
//   keys/log.seed      development log key (hex Ed25519 seed, mode 0600)
//   keys/submitter.seed, keys/submitter.name   development submitter key
//   store/             RocksDB
//
// The development log key on disk is what makes a single-process demo
// possible; deployments keep the log key inside the notary enclave and
// ledgerd never holds it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ledger/event.h"
#include "ledger/note.h"
#include "ledger/sequencer.h"
#include "ledger/store/log_store.h"

namespace ledger::cli {

inline constexpr size_t kMaxPayloadSize = 1 << 20;
inline constexpr size_t kMaxRecordLineSize = 2 * kMaxPayloadSize;

struct Record {
  Event event;
  std::optional<store::Payload> payload;
};

// One JSON line: an event object, or {"event": {...}, "payload": "...",
// "payload_content_type": "..."} whose payload body is stored beside the
// leaf and whose digest goes into the event.
Result<Record> ParseRecordLine(std::string_view line);

class LocalLog {
 public:
  static Status Init(const std::string& dir, const std::string& origin);
  // `pinned_vkey` overrides the data directory's log.vkey when non-empty.
  static Result<std::unique_ptr<LocalLog>> Open(const std::string& dir, bool writable,
                                                const std::string& pinned_vkey = "");

  store::LogStore& store() { return *store_; }
  const std::string& vkey() const { return vkey_; }

  // Stamps, sequences and persists the records as one batch.
  Result<SequencedBatch> Append(const std::vector<Record>& records);

 private:
  LocalLog() = default;
  std::string dir_;
  std::string vkey_;
  std::unique_ptr<store::LogStore> store_;
  std::unique_ptr<note::Signer> submitter_;
  std::optional<Sequencer> sequencer_;
};

// Reads a whole file (or stdin for "-"); NotFound("no_such_file").
Result<std::string> ReadFile(const std::string& path);
Status WriteFile(const std::string& path, std::string_view data, bool secret);

}  // namespace ledger::cli
