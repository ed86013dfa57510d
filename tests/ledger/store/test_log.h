// A test log: a deterministic log key, a sequencer and events to feed it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ledger/merkle/merkle.h"
#include "ledger/note/note.h"
#include "ledger/record/event.h"
#include "ledger/sequencer/sequencer.h"

namespace ledger::testing {

inline constexpr char kOrigin[] = "ledger.example/test-log";

inline Ed25519PrivateKey LogKey() {
  Bytes seed(32, 0x42);
  return Ed25519PrivateKey::FromSeed(seed).value();
}

inline std::shared_ptr<const note::Verifier> LogVerifier() {
  return std::shared_ptr<const note::Verifier>(
      note::NewEd25519Verifier(kOrigin, LogKey().public_key()));
}

inline Sequencer::Clock FixedClock(uint64_t start_us) {
  auto t = std::make_shared<uint64_t>(start_us);
  return [t] { return (*t) += 1000; };
}

inline Event MakeEvent(uint64_t n, const std::string& subject = "") {
  Event e;
  // Not POLICY_CHANGED: that kind is the notary's own record (ownership.h).
  e.kind = n % 3 == 0 ? EventKind::kKeyCreated
                      : (n % 3 == 1 ? EventKind::kSignatureProduced : EventKind::kKeyRotated);
  e.event_id = "evt-" + std::to_string(n);
  e.request_id = "req-" + std::to_string(n);
  e.occurred_at_us = 1'700'000'000'000'000ull + n;
  e.actor.type = "service";
  e.actor.id = n % 2 == 0 ? "signer-svc" : "policy-svc";
  e.subject = subject.empty() ? "key/k-" + std::to_string(n % 7) : subject;
  e.outcome = Outcome::kSuccess;
  // No state hash: an entry that moves a state is a compare-and-swap
  // (map.md §5), which tests that want one build themselves.
  return e;
}

inline std::vector<SubmittedEvent> MakeBatch(uint64_t first, size_t count) {
  std::vector<SubmittedEvent> out;
  for (size_t i = 0; i < count; ++i) {
    out.push_back({EncodeEvent(MakeEvent(first + i)).value(), {}});
  }
  return out;
}

inline Sequencer NewSequencer() {
  return Sequencer::Genesis(kOrigin, note::NewEd25519Signer(kOrigin, LogKey()), {},
                            FixedClock(1'700'000'000'000'000ull))
      .value();
}

}  // namespace ledger::testing
