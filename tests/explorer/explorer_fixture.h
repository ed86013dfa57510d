// A log on disk as ledgerd leaves it (dir/ledger.json with the log's vkey,
// dir/store in RocksDB), written fast by the test sequencer, and the real
// explorer binary serving it on a free 127.0.0.1 port.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../ledger/store/test_log.h"
#include "../support/child_process.h"
#include "ledger/attestation/attestation.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "ledger/attestation_dev/sign_attestation.h"
#include "ledger/crypto/p256.h"
#include "ledger/note/cosignature.h"
#include "ledger/record/ownership.h"
#include "ledger/record/stamp.h"
#include "ledger/store/log_store.h"

namespace explorer::testing {

using ledger::testing::ChildProcess;

inline std::string LogVkey() {
  return ledger::testing::LogVerifier()->VerifierKey();
}

// The writer's side: a RocksDB store in `dir` that the test keeps appending to.
class TestLog {
 public:
  explicit TestLog(const std::string& name) {
    dir_ = std::filesystem::temp_directory_path() /
           ("explorer-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "ledger.json") << "{\"log_vkey\": \"" << LogVkey() << "\"}\n";
    ledger::store::RocksDbOptions o;
    o.create_if_missing = true;
    o.sync = false;  // a test log: speed over durability
    auto kv = ledger::store::OpenRocksDb((dir_ / "store").string(), o);
    EXPECT_TRUE(kv.ok()) << kv.status();
    auto store = ledger::store::LogStore::Create(std::move(kv).value(), seq_.head().checkpoint_note,
                                                 ledger::testing::LogVerifier());
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }
  ~TestLog() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Appends `count` test events (ledger::testing::MakeEvent) in batches.
  void Append(uint64_t count, uint64_t batch = 5000) {
    while (count > 0) {
      uint64_t n = std::min(count, batch);
      AppendEvents(ledger::testing::MakeBatch(store_->size(), n));
      count -= n;
    }
  }
  // Appends these events (with their payloads) as one batch; with a
  // `witness`, the stored checkpoint also carries its cosignature/v1 line.
  void AppendEvents(std::vector<ledger::SubmittedEvent> events,
                    std::vector<ledger::store::Payload> payloads = {},
                    const ledger::note::Signer* witness = nullptr) {
    // The map proofs, planned on the stored map as ledgerd's host does
    // (map.md §6), so that the log answers state queries.
    ledger::store::MapUpdater planner = store_->NewMapUpdater();
    std::vector<ledger::state_map::Proof> proofs, stamp_proofs;
    for (size_t i = 0; i < events.size(); ++i) {
      auto event = ledger::DecodeEvent(events[i].event);
      ASSERT_TRUE(event.ok()) << event.status();
      auto stamp = planner.ApplyStamp(events[i].event, events[i].stamp, store_->size() + i);
      ASSERT_TRUE(stamp.ok()) << stamp.status();
      stamp_proofs.push_back(*stamp ? std::move((*stamp)->proof) : ledger::state_map::Proof());
      auto step = planner.Apply(*event, store_->size() + i);
      ASSERT_TRUE(step.ok()) << step.status();
      proofs.push_back(std::move(step->proof));
    }
    auto b = seq_.Sequence(store_->size(), seq_.head().range.Root(), events, proofs, stamp_proofs);
    ASSERT_TRUE(b.ok()) << b.status();
    if (witness != nullptr) {
      auto note = ledger::note::Parse(b->checkpoint_note).value();
      note.signatures.push_back(ledger::note::SignText(note.text, *witness).value());
      b->checkpoint_note = ledger::note::Format(note);
    }
    auto s = store_->Append(*b, payloads);
    ASSERT_TRUE(s.ok()) << s;
  }

  std::string dir() const { return dir_.string(); }
  ledger::store::LogStore& store() { return *store_; }
  // Moves the sequencer's clock (it ticks 1 ms per reading from there): the
  // batches appended next are recorded at about `us`. Never backwards.
  void SetClock(uint64_t us) { *clock_ = us; }

 private:
  std::filesystem::path dir_;
  std::shared_ptr<uint64_t> clock_ = std::make_shared<uint64_t>(1'700'000'000'000'000ull);
  ledger::Sequencer seq_ = NewMapSequencer(clock_);

  // The test sequencer of ledger/store's tests, keeping the state map, on a
  // clock the test can move.
  static ledger::Sequencer NewMapSequencer(std::shared_ptr<uint64_t> clock) {
    ledger::SequencerOptions o;
    o.state_map = true;
    return ledger::Sequencer::Genesis(
               ledger::testing::kOrigin,
               ledger::note::NewEd25519Signer(ledger::testing::kOrigin, ledger::testing::LogKey()),
               {}, [clock] { return (*clock) += 1000; }, o)
        .value();
  }
  std::unique_ptr<ledger::store::LogStore> store_;
};

// The explorer binary on a free port; killed when destroyed.
class ExplorerProcess {
 public:
  ExplorerProcess(const std::string& data_dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {EXPLORER_BIN, "--data", data_dir, "--listen",
                                     "127.0.0.1:0", "--refresh-ms", "0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(argv, data_dir + "/explorer.log");
    std::string line = process_->ReadLine();
    const std::string prefix = "listening on 127.0.0.1:";
    if (line.rfind(prefix, 0) == 0) port_ = std::stoi(line.substr(prefix.size()));
  }
  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  void Kill() { process_->Kill(); }
  pid_t pid() const { return process_->pid(); }

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

// A witness with a fixed key (cosignature/v1), by seed byte.
inline std::unique_ptr<ledger::note::CosignatureV1Signer> TestWitness(
    uint8_t seed, const std::string& name = "witness.example/w1") {
  return ledger::note::NewCosignatureV1Signer(
      name, ledger::Ed25519PrivateKey::FromSeed(ledger::Bytes(32, seed)).value());
}

inline ledger::Event BaseEvent(ledger::EventKind kind, const std::string& id) {
  ledger::Event e;
  e.kind = kind;
  e.event_id = id;
  e.occurred_at_us = 1'700'000'100'000'000ull;
  e.actor = {"notary", "notary-enclave", "attestation", ""};
  e.subject = "notary/" + std::string(ledger::testing::kOrigin);
  return e;
}

// `e` stamped with the log key, as the notary stamps its own records.
inline ledger::SubmittedEvent ByLogKey(const ledger::Event& e) {
  ledger::Bytes event = ledger::EncodeEvent(e).value();
  auto log_key =
      ledger::note::NewEd25519Signer(ledger::testing::kOrigin, ledger::testing::LogKey());
  return {event, ledger::MakeStamp(ledger::testing::kOrigin, event, *log_key).value()};
}

// Appends `e` with `body` as its payload; a notary record (ownership.h) is
// stamped by the log key, as only the notary writes those.
inline void AppendWithPayload(TestLog& log, ledger::Event e, const ledger::Bytes& body,
                              const std::string& content_type) {
  auto digest = ledger::Sha256::Digest(body);
  e.payload_digest = digest;
  ledger::SubmittedEvent submitted =
      ledger::IsNotaryRecord(e) ? ByLogKey(e)
                                : ledger::SubmittedEvent{ledger::EncodeEvent(e).value(), {}};
  log.AppendEvents({submitted}, {ledger::store::Payload{digest, body, content_type}});
}

// An ENCLAVE_BOOTED entry whose payload is an attestation document signed by
// a development PKI, as the sim platform's notary produces. Returns the
// ephemeral public key (hex) it carries.
inline std::string AppendBootEntry(TestLog& log) {
  auto pki = ledger::CreateDevPki().value();
  ledger::AttestationDocument d;
  d.module_id = "i-test-enc";
  d.digest = "SHA384";
  d.timestamp_ms = 1'700'000'100'000;
  d.pcrs[0] = ledger::Bytes(48, 0xa0);
  d.pcrs[1] = ledger::Bytes(48, 0xa1);
  d.certificate = pki.leaf_der;
  d.cabundle = {pki.root_der, pki.intermediate_der};
  std::string ephemeral = ledger::P256PrivateKey::Generate().value().public_key().Hex();
  d.public_key = ledger::HexDecode(ephemeral).value();
  d.user_data = ledger::Bytes(32, 0x55);
  auto doc = ledger::SignAttestation(d, pki.leaf_key).value();
  auto e = BaseEvent(ledger::EventKind::kEnclaveBooted, "enclave-booted/1");
  e.attributes = {{"ephemeral_public_key", ephemeral}, {"platform", "sim"}};
  AppendWithPayload(log, e, doc, "application/cose");
  return ephemeral;
}

// An ANCHOR_CONFIRMED entry for the checkpoint of `tree_size`.
inline void AppendAnchor(TestLog& log, uint64_t tree_size = 600) {
  auto e = BaseEvent(ledger::EventKind::kAnchorConfirmed, "anchor/1");
  e.actor = {"service", "anchord", "", ""};
  e.subject = "anchor/31337/registry";
  const std::string size = std::to_string(tree_size);
  e.attributes = {{"chain_id", "31337"}, {"tx_hash", "0xabc"}, {"block", "12"}, {"tree_size", size}};
  std::string evidence = R"({"chain_id":31337,"tree_size":)" + size + "}";
  AppendWithPayload(log, e, ledger::Bytes(evidence.begin(), evidence.end()), "application/json");
}

// Three DENIED events on subject key/denied.
inline void AppendDenied(TestLog& log) {
  std::vector<ledger::SubmittedEvent> batch;
  for (int i = 0; i < 3; ++i) {
    auto e = ledger::testing::MakeEvent(1000 + static_cast<uint64_t>(i), "key/denied");
    e.outcome = ledger::Outcome::kDenied;
    e.outcome_reason = "policy";
    batch.push_back({ledger::EncodeEvent(e).value(), {}});
  }
  log.AppendEvents(batch);
}

// `count` test events of this kind and outcome, from event number `first`.
inline std::vector<ledger::SubmittedEvent> EventsOf(ledger::EventKind kind, ledger::Outcome outcome,
                                                    uint64_t first, size_t count) {
  std::vector<ledger::SubmittedEvent> out;
  for (size_t i = 0; i < count; ++i) {
    auto e = ledger::testing::MakeEvent(first + i);
    e.kind = kind;
    e.outcome = outcome;
    if (outcome != ledger::Outcome::kSuccess) e.outcome_reason = "test";
    out.push_back({ledger::EncodeEvent(e).value(), {}});
  }
  return out;
}

// The log the charts are checked against: an hour-aligned start
// (kChartStartUs, 2023-11-14T21:00:00Z) and, by hour from there,
//   hour 0: 3 KEY_CREATED/SUCCESS, then 2 SIGNATURE_PRODUCED/DENIED
//           (that batch cosigned by witness.example/w2)
//   hour 2: 4 SIGNATURE_PRODUCED/SUCCESS, 1 KEY_ROTATED/ERROR, the anchor
//           of size 10 (the log before it)
//   hour 3: 2 KEY_CREATED/SUCCESS (cosigned by witness.example/w1)
// so 13 entries in 5 (kind, outcome) series (with ANCHOR_CONFIRMED/SUCCESS),
// 5, 0, 6 and 2 entries in hours 0 to 3, w2 cosigned size 5 and w1 size 13.
inline constexpr uint64_t kChartStartUs = 1'699'995'600'000'000ull;
inline constexpr uint64_t kHourUs = 3'600'000'000ull;
inline void AppendChartLog(TestLog& log) {
  using K = ledger::EventKind;
  using O = ledger::Outcome;
  log.SetClock(kChartStartUs + 60'000'000);
  log.AppendEvents(EventsOf(K::kKeyCreated, O::kSuccess, 0, 3));
  log.AppendEvents(EventsOf(K::kSignatureProduced, O::kDenied, 3, 2), {},
                   TestWitness(0x22, "witness.example/w2").get());
  log.SetClock(kChartStartUs + 2 * kHourUs + 60'000'000);
  log.AppendEvents(EventsOf(K::kSignatureProduced, O::kSuccess, 5, 4));
  log.AppendEvents(EventsOf(K::kKeyRotated, O::kError, 9, 1));
  AppendAnchor(log, 10);
  log.SetClock(kChartStartUs + 3 * kHourUs + 60'000'000);
  log.AppendEvents(EventsOf(K::kKeyCreated, O::kSuccess, 12, 2), {},
                   TestWitness(0x21, "witness.example/w1").get());
}

}  // namespace explorer::testing
