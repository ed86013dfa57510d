// A log in a local data directory, written by ledgerctl itself.
//
// Layout of <dir>:
//   ledger.json        origin, the log's vkey, the submitter vkeys (policy)
//   log.vkey           the log's verifier key, for auditors to pin
//   keys/log.seed      development log key (hex Ed25519 seed, mode 0600)
//   keys/submitter.seed, keys/submitter.name   development submitter key
//   store/             RocksDB
//
// Two modes. Development: the log key is a file in keys/ and ledgerctl runs
// the sequencer itself. Notary: the log key exists only inside a provisioned
// notary enclave; ledgerctl sends each batch over the notary's socket,
// verifies the returned checkpoint (pinned log key) and app proof (attested
// ephemeral key) and persists the batch. In notary mode ledger.json names the
// socket and the submitter key file instead of the keys/ folder.
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/notary_host/notary_host.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/retention/retention.h"
#include "ledger/sequencer/sequencer.h"
#include "ledger/store_open/store_open.h"
#include "ledger/store/log_store.h"
#include "ledger/store_open/store_open.h"

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
// Every record of the JSON-lines input named by positional[1] (a file; "-"
// or none: `in`), parsed before anything is done with them; blank lines are
// skipped, an error names its line.
Result<std::vector<Record>> ReadRecords(const std::vector<std::string>& positional,
                                        std::istream& in);

class LocalLog {
 public:
  static Status Init(const std::string& dir, const std::string& origin);
  // A log whose keys are held by the notary at `socket` (provisioned, with
  // log key `vkey`); events are stamped with `submitter_key_file` (a file
  // from `ledgerctl submitter-key`); `manifest_file` (optional) lets the
  // ENCLAVE_BOOTED entries' attestation documents be stored as payloads.
  static Status InitWithNotary(const std::string& dir, const std::string& socket,
                               const std::string& vkey, const std::string& submitter_key_file,
                               const std::string& manifest_file,
                               const store::StoreConfig& store_config = {});
  // `pinned_vkey` overrides the data directory's log.vkey when non-empty.
  static Result<std::unique_ptr<LocalLog>> Open(const std::string& dir, bool writable,
                                                const std::string& pinned_vkey = "");

  store::LogStore& store() { return *store_; }
  const std::string& vkey() const { return vkey_; }

  // Stamps, sequences (in-process or by the notary) and persists the records
  // as one batch.
  Result<SequencedBatch> Append(const std::vector<Record>& records);
  bool notary_mode() const { return notary_ != nullptr; }
  // The key Append stamps with (retention.md: a hold is released by another
  // key than the one that placed it), and a way to stamp with another one
  // (a submitter key file; the policy must admit it).
  Stamper stamper() const;
  void UseSubmitter(std::unique_ptr<note::Signer> submitter);
  // Notary mode: sends the next policy version (its encoding) with operator
  // approvals, verifies and persists the POLICY_CHANGED batch, with the
  // policy encoding as the entry's payload so that a restarted notary can be
  // restored with it (local_log_policy.cc).
  Result<SequencedBatch> ChangePolicy(ByteView policy, std::span<const Bytes> approvals);

  ~LocalLog();

 private:
  LocalLog() = default;
  std::string dir_;
  std::unique_ptr<notary_host::NotaryHost> notary_;
  std::string vkey_;
  std::unique_ptr<store::LogStore> store_;
  std::unique_ptr<note::Signer> submitter_;
  std::optional<Sequencer> sequencer_;
};

// Reads a whole file (files::ReadFile), or stdin for "-". Files are written
// with files::WriteFile (atomic, durable; {.secret = true} for keys).
Result<std::string> ReadFile(const std::string& path);

// A submitter key file (ledgerctl submitter-key): "<key name>\n<alg>\n<hex
// secret>\n", alg "ed25519" (the secret is the seed), "p256" or "secp256k1"
// (the 32-byte big-endian scalar); the older "<key name>\n<hex Ed25519
// seed>\n" reads as Ed25519. InvalidArgument("bad_key_file") on any defect.
Result<std::unique_ptr<note::Signer>> ReadSubmitterKey(const std::string& path);
// The signer for a secret of one of those algorithms; InvalidArgument
// ("bad_algorithm") for another algorithm, the key's error for a bad secret.
Result<std::unique_ptr<note::Signer>> SubmitterSigner(std::string name, std::string_view alg,
                                                      ByteView secret);

}  // namespace ledger::cli
