// NotaryHost: a LogStore written by a notary enclave over its socket.
//
// Connect() brings the notary and the store to the same head: a new (empty)
// store starts with the notary's genesis, a provisioned notary is restored
// from the store's head (it accepts only a head its own key signed, with the
// policy that head names), and a serving notary must hold exactly the store's
// head (it refuses older or other heads: rollback, fork). A serving notary one
// batch ahead is what a host killed between the notary's answer and its write
// leaves behind: Connect sends the journaled request again (Append journals
// every request in the store before the call, LogStore::WritePendingAppend),
// the notary answers it with the batch it already signed, and Connect writes
// that batch (docs/crash-safety.md). Every batch the
// notary returns is checked (app proof by the attested ephemeral key the
// notary reported; LogStore::Append re-checks the checkpoint against the
// pinned log key) before it is written in one synced batch.
//
// Not thread-safe: one owner thread drives the notary connection and writes.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ledger/base/status.h"
#include "ledger/notary_client/notary_client.h"
#include "ledger/sequencer/types.h"
#include "ledger/store/log_store.h"

namespace ledger::notary_host {

inline constexpr char kPolicyContentType[] = "application/vnd.audit-ledger.policy";

class NotaryHost {
 public:
  // `store` must outlive the host. `vkey` is the pinned log key the notary
  // must hold; `manifest_file` (optional) lets ENCLAVE_BOOTED entries'
  // attestation documents be stored as payloads.
  static Result<std::unique_ptr<NotaryHost>> Connect(const std::string& socket,
                                                     const std::string& vkey,
                                                     store::LogStore* store,
                                                     std::string manifest_file);

  // Sends one batch, verifies and persists it. On any error nothing is
  // written; the notary refuses whole batches.
  Result<notary_client::Sequenced> Append(std::span<const SubmittedEvent> events,
                                          std::span<const store::Payload> payloads);
  // Journals an Append or ChangePolicy request with the payloads its batch
  // will be stored with (LogStore::WritePendingAppend), then sends it. The
  // caller verifies and persists the answer (Persist); Append does all three.
  Result<notary_client::Sequenced> SendJournaled(const notary_client::pb::HostRequest& request,
                                                 std::span<const store::Payload> payloads);
  // Verifies a batch's app proof against the connected instance's key and
  // persists it with `payloads`.
  Status Persist(const notary_client::Sequenced& seq, std::span<const store::Payload> payloads);

  // Where the last Append's time went: the journal write, the notary round
  // trip (socket, stamp checks, signing) and the verification and synced
  // write.
  struct Timings {
    uint64_t journal_us = 0;
    uint64_t notary_us = 0;
    uint64_t persist_us = 0;
  };
  const Timings& last_append_timings() const { return timings_; }

  // The batch Connect wrote from the notary's answer to the journaled
  // request, if it did (for the log line).
  struct ResentBatch {
    uint64_t first_index = 0;
    uint64_t count = 0;
  };
  const std::optional<ResentBatch>& resent() const { return resent_; }

  notary_client::NotaryClient& client() { return *notary_; }
  store::LogStore& store() { return *store_; }
  // The connected instance's attested ephemeral key (SEC1 P-256).
  const Bytes& ephemeral_public_key() const { return ephemeral_public_key_; }

 private:
  NotaryHost() = default;
  Status BringToHead();
  // Sends the journaled request again and writes the notary's answer.
  // NotFound when there is no journaled request for the stored head;
  // the notary's refusal (head_mismatch) for any request it did not answer.
  Status ResendPending();
  Result<std::vector<store::Payload>> BootPayloads(const SequencedBatch& batch);

  std::unique_ptr<notary_client::NotaryClient> notary_;
  store::LogStore* store_ = nullptr;
  std::string vkey_;
  std::string manifest_file_;
  Bytes ephemeral_public_key_;
  Timings timings_;
  std::optional<ResentBatch> resent_;
};

// The policy encoding the head checkpoint's policy line names (a stored
// payload); empty for version 0 (the manifest's) or a head without one.
Result<Bytes> HeadPolicy(const store::LogStore& store);

}  // namespace ledger::notary_host
