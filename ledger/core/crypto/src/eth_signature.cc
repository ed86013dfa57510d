// secp256k1 recoverable ECDSA via libsecp256k1's recovery module. The
// signing context is randomized (side-channel blinding) and destroyed after
// each use; the secret never leaves the caller's buffer.
#include "ledger/crypto/eth_signature.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <memory>
#include <string>

#include "ledger/crypto/keccak.h"

namespace ledger {
namespace {

// n/2 for secp256k1 (SEC 2 §2.4.1: n = FFFF...BAAEDCE6AF48A03BBFD25E8CD0364141).
constexpr std::array<uint8_t, 32> kHalfOrder = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

Status BadSignature(std::string message) {
  return Status::VerificationFailed("bad_signature", std::move(message));
}

struct ContextFree {
  void operator()(secp256k1_context* c) const { secp256k1_context_destroy(c); }
};
using Context = std::unique_ptr<secp256k1_context, ContextFree>;

// Operations on secret keys need a full (not the static) context; it is
// randomized so that timing and power do not depend on the secret alone.
Result<Context> SecretKeyContext() {
  Context ctx(secp256k1_context_create(SECP256K1_CONTEXT_NONE));
  unsigned char seed[32];
  bool ok = ctx && RAND_bytes(seed, sizeof(seed)) == 1 &&
            secp256k1_context_randomize(ctx.get(), seed) == 1;
  OPENSSL_cleanse(seed, sizeof(seed));
  if (!ok) return Status::Internal("secp256k1_failure", "cannot create a signing context");
  return ctx;
}

}  // namespace

std::array<uint8_t, 65> RecoverableSignature::Rsv() const {
  std::array<uint8_t, 65> out{};
  std::copy(r.begin(), r.end(), out.begin());
  std::copy(s.begin(), s.end(), out.begin() + 32);
  out[64] = static_cast<uint8_t>(27 + recid);
  return out;
}

Result<RecoverableSignature> RecoverableSignature::FromRsv(ByteView rsv) {
  if (rsv.size() != 65) return Status::InvalidArgument("bad_signature", "signature is not 65 bytes");
  if (rsv[64] != 27 && rsv[64] != 28) {
    return Status::InvalidArgument("bad_signature", "v must be 27 or 28");
  }
  RecoverableSignature sig;
  std::copy(rsv.begin(), rsv.begin() + 32, sig.r.begin());
  std::copy(rsv.begin() + 32, rsv.begin() + 64, sig.s.begin());
  sig.recid = static_cast<uint8_t>(rsv[64] - 27);
  return sig;
}

bool RecoverableSignature::IsLowS() const {
  return std::lexicographical_compare(s.begin(), s.end(), kHalfOrder.begin(), kHalfOrder.end()) ||
         s == kHalfOrder;
}

Result<RecoverableSignature> SignRecoverable(ByteView secret_key, const Hash& digest) {
  if (secret_key.size() != kSecp256k1SecretKeySize ||
      secp256k1_ec_seckey_verify(secp256k1_context_static, secret_key.data()) != 1) {
    return Status::InvalidArgument("bad_secret_key", "not a secp256k1 secret key");
  }
  ASSIGN_OR_RETURN(Context ctx, SecretKeyContext());
  secp256k1_ecdsa_recoverable_signature rsig;
  // Default nonce function: RFC 6979 with HMAC-SHA256; output is low-s.
  if (secp256k1_ecdsa_sign_recoverable(ctx.get(), &rsig, digest.bytes.data(), secret_key.data(),
                                       nullptr, nullptr) != 1) {
    return Status::Internal("secp256k1_failure", "signing failed");
  }
  unsigned char compact[64];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(secp256k1_context_static, compact,
                                                          &recid, &rsig);
  RecoverableSignature out;
  std::copy(compact, compact + 32, out.r.begin());
  std::copy(compact + 32, compact + 64, out.s.begin());
  out.recid = static_cast<uint8_t>(recid);
  return out;
}

Result<std::array<uint8_t, 65>> RecoverPublicKey(const Hash& digest,
                                                 const RecoverableSignature& sig) {
  if (sig.recid > 1) return BadSignature("recovery id must be 0 or 1");
  unsigned char compact[64];
  std::copy(sig.r.begin(), sig.r.end(), compact);
  std::copy(sig.s.begin(), sig.s.end(), compact + 32);
  secp256k1_ecdsa_recoverable_signature rsig;
  secp256k1_pubkey key;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &rsig, compact,
                                                          sig.recid) != 1 ||
      secp256k1_ecdsa_recover(secp256k1_context_static, &key, &rsig, digest.bytes.data()) != 1) {
    return BadSignature("no public key recovers from this signature");
  }
  std::array<uint8_t, 65> out{};
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(secp256k1_context_static, out.data(), &len, &key,
                                SECP256K1_EC_UNCOMPRESSED);
  return out;
}

Result<EthAddress> RecoverEthAddress(const Hash& digest, const RecoverableSignature& sig) {
  if (!sig.IsLowS()) return Status::VerificationFailed("high_s", "s is above n/2 (EIP-2)");
  ASSIGN_OR_RETURN(auto point, RecoverPublicKey(digest, sig));
  return EthAddressFromPublicKey(point);
}

Result<EthAddress> EthAddressFromPublicKey(ByteView sec1) {
  secp256k1_pubkey key;
  if (secp256k1_ec_pubkey_parse(secp256k1_context_static, &key, sec1.data(), sec1.size()) != 1) {
    return Status::InvalidArgument("bad_public_key", "not a secp256k1 point");
  }
  unsigned char point[65];
  size_t len = sizeof(point);
  secp256k1_ec_pubkey_serialize(secp256k1_context_static, point, &len, &key,
                                SECP256K1_EC_UNCOMPRESSED);
  // Yellow Paper eq. 284: A(p) = B_96..255(KEC(ECDSAPUBKEY(p))), x || y without 0x04.
  Hash h = Keccak256::Digest(ByteView(point + 1, 64));
  EthAddress out{};
  std::copy(h.bytes.begin() + 12, h.bytes.end(), out.begin());
  return out;
}

Result<EthAddress> EthAddressFromSecretKey(ByteView secret_key) {
  ASSIGN_OR_RETURN(Context ctx, SecretKeyContext());
  secp256k1_pubkey key;
  if (secret_key.size() != kSecp256k1SecretKeySize ||
      secp256k1_ec_pubkey_create(ctx.get(), &key, secret_key.data()) != 1) {
    return Status::InvalidArgument("bad_secret_key", "not a secp256k1 secret key");
  }
  unsigned char point[65];
  size_t len = sizeof(point);
  secp256k1_ec_pubkey_serialize(secp256k1_context_static, point, &len, &key,
                                SECP256K1_EC_UNCOMPRESSED);
  return EthAddressFromPublicKey(ByteView(point, len));
}

}  // namespace ledger
