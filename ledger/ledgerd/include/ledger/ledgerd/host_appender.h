// What ledgerd appends on its own behalf, and who may ask it to.
//
// The notary accepts only stamped events from a submitter of the manifest's
// policy (stamp.md, policy.md). ledgerd therefore holds a submitter key of its
// own (--host-key: "<name>\n[ed25519\n]<hex seed>\n", the format of
// `ledgerctl submitter-key`), which the manifest must admit for the kinds it
// appends: EXPORT_CREATED (GET/POST /v1/export) and VERIFICATION_RUN
// (--verify-every). Those entries go through the batcher and the notary like
// any other, so they are sequenced, signed and witnessed the same way.
//
// Export requesters authenticate with HTTP Basic (RFC 7617): user name and
// an API token, checked against --export-tokens (api_tokens.h). The browser
// asks for the credentials when it follows the explorer's Export link. The
// authenticated user name is the EXPORT_CREATED actor, with auth_method
// "http-basic-token". Without --host-key and --export-tokens, /v1/export
// answers 503 export_not_configured.
//
// Thread-safety: HostAppender::Append may be called from any thread (the
// batcher serializes).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "ledger/ledgerd/batcher.h"
#include "ledger/ledgerd/witnessing.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/sequencer/types.h"
#include "ledger/store/log_store.h"

namespace ledger::ledgerd {

// InvalidArgument("bad_key_file") for anything but an Ed25519 submitter key.
Result<std::unique_ptr<note::Signer>> ReadHostKey(const std::string& path);

class HostAppender {
 public:
  HostAppender(store::LogStore* store, Batcher* batcher, std::unique_ptr<note::Signer> key,
               std::shared_ptr<const note::Verifier> log_key)
      : store_(store), batcher_(batcher), key_(std::move(key)), log_key_(std::move(log_key)) {}
  // Stamps `event` with the host key and appends it (with `payload`, if
  // any) as one entry; returns the entry as a one-leaf SequencedBatch
  // (first_index = its index, the checkpoint of the batch that carried it),
  // which is what exporter::AppendFn needs.
  // With witnessing set, the checkpoint returned is the quorum-cosigned one
  // that first covers the entry (its size may exceed the batch's), waited
  // for up to `timeout`: what the entry's receipt relies on must be
  // witnessed, as every verifier requires (docs/verification.md).
  Result<SequencedBatch> Append(const Event& event, const std::optional<store::Payload>& payload);
  void RequireWitnesses(Witnessing* witnessing, std::chrono::milliseconds timeout) {
    witnessing_ = witnessing;
    witness_timeout_ = timeout;
  }

 private:
  store::LogStore* store_;
  Batcher* batcher_;
  std::unique_ptr<note::Signer> key_;
  std::shared_ptr<const note::Verifier> log_key_;
  Witnessing* witnessing_ = nullptr;
  std::chrono::milliseconds witness_timeout_{0};
};

}  // namespace ledger::ledgerd
