// NotaryHost: a LogStore written by a notary enclave over its socket.
//
// Connect() brings the notary and the store to the same head: a new (empty)
// store starts with the notary's genesis, a provisioned notary is restored
// from the store's head (it accepts only a head its own key signed, with the
// policy that head names), and a serving notary must hold exactly the store's
// head (it refuses older or other heads: rollback, fork). Every batch the
// notary returns is checked (app proof by the attested ephemeral key the
// notary reported; LogStore::Append re-checks the checkpoint against the
// pinned log key) before it is written in one synced batch.
//
// Not thread-safe: one owner thread drives the notary connection and writes.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ledger/notary_client/notary_client.h"
#include "ledger/sequencer.h"
#include "ledger/status.h"
#include "ledger/store/log_store.h"

namespace ledger::host {

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
  // Verifies a batch's app proof against the connected instance's key and
  // persists it with `payloads`.
  Status Persist(const notary_client::Sequenced& seq, std::span<const store::Payload> payloads);

  // Where the last Append's time went: the notary round trip (socket,
  // stamp checks, signing) and the verification and synced write.
  struct Timings {
    uint64_t notary_us = 0;
    uint64_t persist_us = 0;
  };
  const Timings& last_append_timings() const { return timings_; }

  notary_client::NotaryClient& client() { return *notary_; }
  store::LogStore& store() { return *store_; }
  // The connected instance's attested ephemeral key (SEC1 P-256).
  const Bytes& ephemeral_public_key() const { return ephemeral_public_key_; }

 private:
  NotaryHost() = default;
  Status BringToHead();
  Result<std::vector<store::Payload>> BootPayloads(const SequencedBatch& batch);

  std::unique_ptr<notary_client::NotaryClient> notary_;
  store::LogStore* store_ = nullptr;
  std::string vkey_;
  std::string manifest_file_;
  Bytes ephemeral_public_key_;
  Timings timings_;
};

// The policy encoding the head checkpoint's policy line names (a stored
// payload); empty for version 0 (the manifest's) or a head without one.
Result<Bytes> HeadPolicy(const store::LogStore& store);

}  // namespace ledger::host
