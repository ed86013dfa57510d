// What the notary enclave needs from the machine it runs on, and nothing
// more: entropy, attestation documents, PCR values and the one stream socket
// to the host. Two implementations: `sim` (AF_UNIX socket, a software NSM that
// signs AWS-Nitro-format documents with a development CA chain) and `nitro`
// (AF_VSOCK, the Nitro Security Module at /dev/nsm).
//
// Thread-safety: used from the enclave's single thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ledger/base/bytes.h"
#include "ledger/base/status.h"

namespace notary {

class Platform {
 public:
  virtual ~Platform() = default;
  virtual std::string_view name() const = 0;

  // n bytes of entropy from the platform (NSM GetRandom on Nitro).
  virtual ledger::Result<ledger::Bytes> GetRandom(size_t n) = 0;

  // An attestation document (COSE_Sign1 over the CBOR AttestationDocument,
  // AWS Nitro format) carrying these optional fields; empty means absent.
  virtual ledger::Result<ledger::Bytes> Attest(ledger::ByteView public_key,
                                               ledger::ByteView user_data,
                                               ledger::ByteView nonce) = 0;

  // The current value of PCR `index` (NSM DescribePCR).
  virtual ledger::Result<ledger::Bytes> DescribePcr(uint16_t index) = 0;

  // Waits for the host to connect; returns a connected stream socket. The
  // enclave serves one host connection at a time and calls this again when
  // the host goes away.
  virtual ledger::Result<int> AcceptHost() = 0;
};

}  // namespace notary
