// The AWS Nitro Enclaves platform: the host socket is AF_VSOCK (the parent
// instance connects to the enclave's CID on a port from argv), and entropy,
// PCRs and attestation documents come from the Nitro Security Module through
// ioctl on /dev/nsm, with requests and responses CBOR-encoded by
// notary::nsm (platform/nsm_codec.h).
//
// It builds everywhere and runs only inside an enclave; there is no disk and
// no network there, and this layer opens nothing but /dev/nsm and the socket.
//
// Thread-safety: single-threaded, like the enclave.
#pragma once

#include <cstdint>
#include <memory>

#include "notary/platform.h"

namespace notary {

class NitroPlatform : public Platform {
 public:
  // Opens /dev/nsm and listens on AF_VSOCK (any CID) at `port`.
  // Unavailable("io_error") naming the failing call.
  static ledger::Result<std::unique_ptr<NitroPlatform>> Create(uint32_t vsock_port);
  ~NitroPlatform() override;

  std::string_view name() const override { return "nitro"; }
  ledger::Result<ledger::Bytes> GetRandom(size_t n) override;
  ledger::Result<ledger::Bytes> Attest(ledger::ByteView public_key, ledger::ByteView user_data,
                                       ledger::ByteView nonce) override;
  ledger::Result<ledger::Bytes> DescribePcr(uint16_t index) override;
  ledger::Result<int> AcceptHost() override;

 private:
  NitroPlatform() = default;
  // One NSM round trip: the CBOR request in, the CBOR response out.
  ledger::Result<ledger::Bytes> Call(ledger::ByteView request);

  int nsm_fd_ = -1;
  int listen_fd_ = -1;
};

}  // namespace notary
