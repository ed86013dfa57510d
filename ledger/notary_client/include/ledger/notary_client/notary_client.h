// The host's side of the notary protocol (schemas/proto/ledger/v1/notary.proto):
// connects to the notary's stream socket, sends one request frame, reads one
// response frame, parses it with the same strict parser the notary uses
// (notary/frame.h), and maps a notary Error to a Status with the same code
// and reason. ledgerd and ledgerctl use it.
//
// The client checks shapes (a response of the kind asked for, hashes of 32
// bytes, a parseable checkpoint); it does not trust the notary blindly
// either: callers verify checkpoints with the pinned log key (LogStore does)
// and app proofs with the attested ephemeral key (notary/app_proof.h).
//
// Thread-safety: not thread-safe; one request at a time per client.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/record/state_map.h"
#include "ledger/retention/retention_map.h"
#include "ledger/sequencer/types.h"
#include "ledger/v1/notary.pb.h"

namespace ledger::notary_client {

namespace pb = ::ledger::v1::notary;

struct BootProof {
  Bytes attestation;           // COSE_Sign1 attestation document
  Bytes ephemeral_public_key;  // SEC1 uncompressed P-256
  Hash manifest_digest;        // the document's user_data
};

struct Provisioned {
  std::string origin;
  std::string log_vkey;       // C2SP verifier key of the log key
  Bytes registry_public_key;  // secp256k1, compressed
};

struct AppProof {
  std::string payload;  // schemas/formats/app-proof.md
  Bytes signature;      // ECDSA P-256, r || s
  Bytes public_key;     // the ephemeral key
};

// A sequenced batch, ready for LogStore::Append, and its app proof.
struct Sequenced {
  SequencedBatch batch;
  AppProof app_proof;
};

// The head the host restores the notary from (LogStore::ReadHead).
struct Head {
  std::string checkpoint_note;
  std::vector<Hash> frontier;
  Bytes last_leaf;
  std::vector<Hash> last_leaf_proof;
  // The policy encoding named by the checkpoint's "policy" line
  // (schemas/formats/policy.md §5); empty for version 0, the manifest's.
  Bytes policy;
  // A log with the state map: the encoded map proof for "notary/<origin>",
  // the subject of the ENCLAVE_BOOTED entry the notary appends (map.md §4).
  Bytes boot_map_proof;
};

class NotaryClient {
 public:
  // Connects to a notary address (notary_address.h): a Unix socket path or
  // vsock:CID:PORT. InvalidArgument("bad_notary_address"),
  // Unavailable("connect_failed").
  static Result<std::unique_ptr<NotaryClient>> Connect(const std::string& address);
  // Takes a connected stream socket (it closes it).
  explicit NotaryClient(int fd) : fd_(fd) {}
  ~NotaryClient();
  NotaryClient(const NotaryClient&) = delete;
  NotaryClient& operator=(const NotaryClient&) = delete;

  Result<pb::StatusInfo> GetStatus();
  Result<BootProof> GetBootProof(ByteView manifest);
  Result<Provisioned> Provision(ByteView manifest, std::span<const Bytes> approvals,
                                std::span<const Bytes> sealed_shares);
  // A new log, or resume from `head`. Returns the ENCLAVE_BOOTED batch the
  // notary appended, to be persisted before anything else; nullopt when the
  // notary was already serving this head (a reconnect).
  // `state_map`: the new log keeps the state map (schemas/formats/map.md).
  Result<std::optional<Sequenced>> Genesis(bool state_map = false);
  Result<std::optional<Sequenced>> Restore(const Head& head);
  // `map_proofs`: one per event for a log with the state map (map.md §4);
  // `stamp_proofs`: one per event, sent for the stamped ones (the proof of
  // their stamp key, map.md §5a); `retention_proofs`: one per event, sent
  // for the retention entries (map.md §5b).
  using RetentionProofs = std::span<const std::optional<retention_map::RetentionProof>>;
  Result<Sequenced> Append(uint64_t expected_size, const Hash& expected_root,
                           std::span<const SubmittedEvent> events,
                           std::span<const state_map::Proof> map_proofs = {},
                           std::span<const state_map::Proof> stamp_proofs = {},
                           RetentionProofs retention_proofs = {});
  // Append and ChangePolicy in two steps, for a host that journals the
  // request before sending it (docs/crash-safety.md): the request as Append
  // and ChangePolicy build it, and the sending of such a request (again,
  // after a restart: the notary answers the byte-identical request with the
  // batch it already signed). InvalidArgument("bad_request") for any other.
  static pb::HostRequest AppendRequest(uint64_t expected_size, const Hash& expected_root,
                                       std::span<const SubmittedEvent> events,
                                       std::span<const state_map::Proof> map_proofs = {},
                                       std::span<const state_map::Proof> stamp_proofs = {},
                                       RetentionProofs retention_proofs = {});
  static pb::HostRequest ChangePolicyRequest(
      uint64_t expected_size, const Hash& expected_root, ByteView policy,
      std::span<const Bytes> approvals,
      const std::optional<state_map::Proof>& map_proof = std::nullopt);
  Result<Sequenced> SendSequencing(const pb::HostRequest& request);
  // The next policy version (its encoding) with operator approvals of its
  // digest. Returns the POLICY_CHANGED batch, to be persisted like Append's.
  Result<Sequenced> ChangePolicy(uint64_t expected_size, const Hash& expected_root,
                                 ByteView policy, std::span<const Bytes> approvals,
                                 const std::optional<state_map::Proof>& map_proof = std::nullopt);
  // After Restore with witnesses required (state CONFIRMING): the restored
  // checkpoint with the witness quorum's cosignature lines. The notary then
  // serves Append.
  Result<pb::HeadConfirmed> ConfirmHead(std::string_view cosigned_checkpoint_note);
  // While serving with witnesses required: a later cosigned checkpoint, whose
  // witness time the notary checks its clock against (notary.proto CheckClock).
  Result<pb::ClockChecked> CheckClock(std::string_view cosigned_checkpoint_note);
  // The notary's registry-statement signature for its head, which must be
  // (tree_size, root) (schemas/formats/registry-statement.md; notary.proto
  // SignRegistryStatement). The answer is checked to be for that head.
  Result<pb::RegistryStatementSignature> SignRegistryStatement(uint64_t tree_size,
                                                               const Hash& root);

  // One round trip: a response of `expected` kind, or the notary's Error as
  // a Status, or InvalidArgument("unexpected_response").
  Result<pb::NotaryResponse> Call(const pb::HostRequest& request,
                                  pb::NotaryResponse::BodyCase expected);

 private:
  Result<std::optional<Sequenced>> DoRestore(const pb::HostRequest& request);
  int fd_ = -1;
};

// The Status a notary Error stands for (unknown code names become Internal).
Status StatusFromError(const pb::Error& error);
// Converts and checks a Sequenced response.
Result<Sequenced> FromProto(const pb::Sequenced& s);

}  // namespace ledger::notary_client
