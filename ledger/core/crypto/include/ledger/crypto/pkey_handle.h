// Owns an OpenSSL EVP_PKEY behind an opaque pointer, so that the key classes
// (Ed25519PrivateKey, P256PrivateKey) move and free it in one place and their
// headers stay free of OpenSSL. EVP_PKEY_free cleanses private key material.
#pragma once

#include <utility>

namespace ledger {

class PkeyHandle {
 public:
  PkeyHandle() = default;
  explicit PkeyHandle(void* evp_pkey) : pkey_(evp_pkey) {}
  PkeyHandle(PkeyHandle&& o) noexcept : pkey_(std::exchange(o.pkey_, nullptr)) {}
  PkeyHandle& operator=(PkeyHandle&& o) noexcept {
    if (this != &o) {
      Free();
      pkey_ = std::exchange(o.pkey_, nullptr);
    }
    return *this;
  }
  PkeyHandle(const PkeyHandle&) = delete;
  PkeyHandle& operator=(const PkeyHandle&) = delete;
  ~PkeyHandle() { Free(); }

  void* get() const { return pkey_; }  // EVP_PKEY*
  explicit operator bool() const { return pkey_ != nullptr; }

 private:
  void Free();
  void* pkey_ = nullptr;
};

}  // namespace ledger
