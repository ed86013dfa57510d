// An in-process notary on the sim platform (no socket) with a real dev PKI,
// a real quorum ceremony and a test clock.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "host_log.h"
#include "ledger/attestation_dev/dev_pki.h"
#include "notary/enclave.h"
#include "notary_test_util.h"
#include "platform/sim_platform.h"

namespace notary::testing {

inline const ledger::DevPki& SharedPki() {
  static const ledger::DevPki* pki = new ledger::DevPki(ledger::CreateDevPki().value());
  return *pki;
}

inline ledger::DevPki CopyPki() {
  auto pem = ledger::DevPkiToPem(SharedPki()).value();
  return ledger::DevPkiFromPem(pem).value();
}

class EnclaveFixture : public ::testing::Test {
 protected:
  static constexpr char kOrigin[] = "example.com/notary-test";

  EnclaveFixture() : pcr0_(48, 0x5a), ceremony_(Ceremony::Make(kOrigin, pcr0_)) {}

  // A fresh notary instance (a reboot: no memory of earlier instances).
  std::unique_ptr<Enclave> Boot() {
    platforms_.push_back(SimPlatform::InProcess(CopyPki(), pcr0_));
    EnclaveOptions options;
    options.clock = [this] { return ++now_us_; };
    return Enclave::Boot(*platforms_.back(), options).value();
  }

  pb::Provisioned Provision(Enclave& e) {
    auto r = e.Provision(ceremony_.ProvisionRequest(e.ephemeral_public_key().view(), 2, 2));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : pb::Provisioned();
  }

  // Provisioned and serving a new log; the boot entry is in host_.
  std::unique_ptr<Enclave> Serving() {
    auto e = Boot();
    Provision(*e);
    pb::Restore genesis;
    genesis.set_genesis(true);
    auto r = e->Restore(genesis);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) host_.Add(r->boot_entry());
    return e;
  }

  pb::Append AppendRequest(const std::vector<ledger::SubmittedEvent>& events) const {
    pb::Append a;
    a.set_expected_size(host_.size());
    a.set_expected_root(host_.RootBytes());
    for (const auto& ev : events) {
      auto* pe = a.add_events();
      pe->set_event(std::string(ledger::AsString(ev.event)));
      pe->set_stamp(std::string(ledger::AsString(ev.stamp)));
    }
    return a;
  }

  std::vector<ledger::SubmittedEvent> Stamped(uint64_t first, size_t n) const {
    std::vector<ledger::SubmittedEvent> out;
    for (size_t i = 0; i < n; ++i) out.push_back(ceremony_.Stamped(first + i));
    return out;
  }

  ledger::Bytes pcr0_;
  Ceremony ceremony_;
  HostLog host_;
  uint64_t now_us_ = 1'700'000'000'000'000;
  std::vector<std::unique_ptr<SimPlatform>> platforms_;
};

// Expects a refusal with this reason.
#define EXPECT_REFUSED(expr, want_reason)                                        \
  do {                                                                           \
    auto refused_ = (expr);                                                      \
    ASSERT_FALSE(refused_.ok()) << "accepted, wanted " << (want_reason);         \
    EXPECT_EQ(refused_.status().reason(), (want_reason)) << refused_.status();   \
  } while (0)

}  // namespace notary::testing
