// The simulated platform: what a Nitro enclave gets from its hypervisor,
// made in software so the notary runs on any Linux machine.
//
//  - the host socket is an AF_UNIX stream socket at a path from argv;
//  - entropy is OpenSSL's CSPRNG (RAND_bytes);
//  - the NSM is software: PCR0 = SHA-384 of the notary's own executable
//    (/proc/self/exe), PCR1 and PCR2 = 48 zero bytes; attestation documents
//    are AWS-Nitro-format COSE_Sign1/ES384, signed by the leaf key of a
//    development PKI (ledger/attestation_dev/dev_pki.h) read from a folder given in argv.
//
// Reading its own executable and the PKI folder stands in for hardware: it
// happens once, at start-up, in this layer; the enclave logic does no I/O.
// The dev PKI is NOT a trust anchor: whoever holds its keys can forge
// documents. Only Nitro documents chained to the AWS root mean anything.
//
// Thread-safety: single-threaded, like the enclave.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ledger/attestation_dev/dev_pki.h"
#include "notary/platform.h"

namespace notary {

class SimPlatform : public Platform {
 public:
  static constexpr size_t kPcrSize = 48;  // SHA-384

  // Reads the PKI folder (root.pem, intermediate.pem, leaf.pem,
  // leaf.key.pem) and /proc/self/exe, and listens on socket_path (an
  // existing socket file there is replaced). Errors: InvalidArgument
  // ("bad_dev_pki"), Unavailable("io_error") naming the failing call.
  static ledger::Result<std::unique_ptr<SimPlatform>> Create(const std::string& socket_path,
                                                             const std::string& pki_dir);

  // No socket (AcceptHost fails): the state machine driven in-process by
  // tests, with a given PKI and PCR0.
  static std::unique_ptr<SimPlatform> InProcess(ledger::DevPki pki, ledger::Bytes pcr0);

  ~SimPlatform() override;

  std::string_view name() const override { return "sim"; }
  ledger::Result<ledger::Bytes> GetRandom(size_t n) override;
  ledger::Result<ledger::Bytes> Attest(ledger::ByteView public_key, ledger::ByteView user_data,
                                       ledger::ByteView nonce) override;
  ledger::Result<ledger::Bytes> DescribePcr(uint16_t index) override;
  ledger::Result<int> AcceptHost() override;

  // SHA-384 of a file (PCR0 of the sim platform).
  static ledger::Result<ledger::Bytes> Sha384File(const std::string& path);

 private:
  SimPlatform(ledger::DevPki pki, ledger::Bytes pcr0) : pki_(std::move(pki)), pcr0_(std::move(pcr0)) {}

  ledger::DevPki pki_;
  ledger::Bytes pcr0_;
  int listen_fd_ = -1;
  std::string socket_path_;
};

}  // namespace notary
