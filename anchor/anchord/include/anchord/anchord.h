// anchord: anchors the log's signed heads in the AnchorRegistry contract and
// records each confirmed anchor in the log (anchor/README.md, "anchord").
//
// One Step():
//   1. the chain is the one configured (wrong_chain) and the contract is the
//      committed registry (registry_code_mismatch);
//   2. the last anchored head is read from the contract; if this anchord
//      anchored it (the state file names it) but its ANCHOR_CONFIRMED entry
//      may not be in the log yet, it is confirmed and (re)appended: the
//      entry's request id is derived from (chain id, contract, size), so a
//      retry is answered as a duplicate and never recorded twice;
//   3. when due (--every seconds or --entries new entries), ledgerd's current
//      head is fetched with the notary's statement signature and a
//      consistency proof from the anchored size; the checkpoint must verify
//      with the pinned log key, the signature must recover to the notary
//      registered in the contract, and the proof must verify from the
//      anchored (size, root): otherwise it is a fork or a rollback, refused
//      and alarmed (log line "fork_refused", metric anchord_forks_refused_total);
//   4. the attempt is written to the state file (atomically), anchor() is
//      sent through the payer, the receipt must carry the Anchored event for
//      exactly this statement, the block must reach --confirmations and stay
//      canonical (a reorg sends it back to 2 and it is re-submitted), and
//      only then the ANCHOR_CONFIRMED entry is appended through ledgerd.
//
// The chain and the log are the truth; the state file only keeps the
// evidence of the one attempt in flight (statement signature, checkpoint),
// which the chain does not return. Crash points (LEDGER_CRASH_AT):
// anchord.before_submit, anchord.after_submit, anchord.after_confirm,
// anchord.after_record.
//
// Thread-safety: Step and Run from one thread; stats() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "anchord/anchor_record.h"
#include "anchord/ledgerd_client.h"
#include "evm/payer.h"
#include "evm/rpc_client.h"
#include "ledger/note/note.h"

namespace anchor::anchord {

struct AnchordOptions {
  std::string ledgerd_url;
  // For an https ledgerd_url: the CA and client certificate (--ledgerd-ca,
  // --ledgerd-cert, --ledgerd-key). Default: the system's store, no client
  // certificate.
  ledger::tls::ClientTls ledgerd_tls;
  // "<name>:<token>" (ParseLedgerdToken): what ledgerd's --anchor-tokens
  // lists, presented for registry statements. Required.
  std::string ledgerd_token;
  std::string rpc_url;
  uint64_t chain_id = 0;
  evm::Address contract;
  std::string log_vkey;  // the pinned C2SP verifier key of the log
  ledger::Bytes payer_key;  // secp256k1 secret, pays gas only
  std::shared_ptr<const ledger::note::Signer> submitter;  // stamps ANCHOR_CONFIRMED
  std::string state_file;
  // Due when this much time passed since the last anchor and something new
  // is in the log, or when `entries` (> 0) entries were appended since.
  std::chrono::milliseconds every{60000};
  uint64_t entries = 0;
  uint64_t confirmations = 1;  // 1: mined
  // Optional RFC 3161 timestamping of each anchored checkpoint: the TSA's URL
  // and the PEM roots its tokens must chain to. A TSA that fails is logged
  // and counted; the anchor goes ahead without a token.
  std::string tsa_url;
  std::string tsa_ca_pem;
  evm::PayerOptions payer;
  evm::rpc::ClientOptions rpc;
};

struct AnchordStats {
  std::atomic<uint64_t> anchors_submitted{0}, anchors_confirmed{0}, anchors_recorded{0},
      record_duplicates{0}, reorgs{0}, forks_refused{0}, errors{0}, timestamps{0},
      timestamp_failures{0};
  std::atomic<uint64_t> anchored_size{0}, last_latency_us{0};
  // The log's size at the last cycle and the entries appended since the
  // last anchor, not counting that anchor's own ANCHOR_CONFIRMED entry.
  std::atomic<uint64_t> log_size{0}, unanchored_entries{0};
  // Unix seconds: the last anchor recorded (the start before the first one)
  // and the last cycle without an error.
  std::atomic<uint64_t> last_anchor_unix_s{0}, last_success_unix_s{0};
};

enum class StepOutcome { kIdle, kAnchored, kRecovered };

class Anchord {
 public:
  static ledger::Result<std::unique_ptr<Anchord>> Create(AnchordOptions options);
  ~Anchord();

  ledger::Result<StepOutcome> Step();
  // Steps every `poll` until `stop`; errors are logged and retried.
  void Run(const std::atomic<bool>& stop, std::chrono::milliseconds poll);
  const AnchordStats& stats() const { return stats_; }
  // Prometheus text format 0.0.4 (anchor/README.md, "Metrics").
  std::string Metrics() const;

 // The attempt in flight, as the state file keeps it (src/attempt.h).
  struct Attempt;

 private:
  explicit Anchord(AnchordOptions options);
  ledger::Status Connect();
  ledger::Result<bool> RecoverAnchored(const evm::registry::AnchoredHead& latest);
  bool Due(uint64_t size, uint64_t anchored_size) const;
  ledger::Result<StepOutcome> AnchorHead(const evm::registry::AnchoredHead& latest);
  ledger::Status ConfirmAndRecord(const Attempt& attempt, const ledger::Hash& tx);
  ledger::Status Alarm(ledger::Status refusal);

  AnchordOptions options_;
  ledger::Hash log_id_;
  std::shared_ptr<const ledger::note::Verifier> verifier_;
  std::unique_ptr<evm::rpc::Client> rpc_;
  std::unique_ptr<evm::Payer> payer_;
  std::unique_ptr<LedgerdClient> ledgerd_;
  // The latest anchor whose entry is known to be in the log, and the log
  // size right after that entry (the baseline for --entries).
  std::optional<uint64_t> recorded_size_;
  uint64_t baseline_size_ = 0;
  std::chrono::steady_clock::time_point last_anchor_;
  AnchordStats stats_;
};

}  // namespace anchor::anchord
