// Fuzzes what an operator or the notary parses during the quorum ceremony:
// manifests, submitter policies, operator approvals, sealed boxes (opened
// with a fixed key) and plaintext quorum shares. The manifest, policy and
// approval decoders accept only what their encoders produce, so a successful decode must re-encode to the
// input byte for byte; nothing may crash, and nothing may verify that was not
// signed or sealed.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "ledger/crypto/sealed_box.h"
#include "ledger/trust/manifest.h"
#include "ledger/trust/policy.h"
#include "ledger/trust/quorum.h"

namespace {

using ledger::Bytes;
using ledger::ByteView;

bool Same(const Bytes& a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// The recipient and context of tests/vectors/formats/sealed-box-example.json,
// so that the seed corpus holds a box that opens.
const ledger::P256PrivateKey& Recipient() {
  static const auto* key = new ledger::P256PrivateKey(
      ledger::P256PrivateKey::FromScalar(
          ledger::HexDecode("178b6d2ea135959c4fab16393800bc7c560642b19d2b2fe71be09747b8b9c39b")
              .value())
          .value());
  return *key;
}

Bytes Context() {
  Bytes ctx = ledger::ToBytes("audit-ledger/quorum-share/notary/v1\n");
  ledger::Append(ctx, ledger::Sha256::Digest(std::string_view("manifest")).view());
  return ctx;
}

void CheckManifest(ByteView input) {
  auto m = ledger::DecodeManifest(input);
  if (!m.ok()) return;
  auto again = ledger::EncodeManifest(*m);
  if (!again.ok() || !Same(*again, input)) std::abort();
  // Every manifest needs at least one approval.
  if (ledger::VerifyApprovals(*m, {}).ok()) std::abort();
}

void CheckPolicy(ByteView input) {
  auto p = ledger::DecodePolicy(input);
  if (!p.ok()) return;
  auto again = ledger::EncodePolicy(*p);
  if (!again.ok() || !Same(*again, input)) std::abort();
  if (ledger::PolicyDigest(*p).value() != ledger::PolicyDigest(input)) std::abort();
  auto line = ledger::PolicyExtensionLine(*p).value();
  auto ref = ledger::ParsePolicyExtensionLine(line);
  if (!ref.ok() || ref->version != p->version) std::abort();
  (void)ledger::ToSubmitterPolicy(*p);  // any key string: refused or parsed, never a crash
}

void CheckApproval(ByteView input) {
  auto a = ledger::DecodeApproval(input);
  if (!a.ok()) return;
  auto again = ledger::EncodeApproval(*a);
  if (!again.ok() || !Same(*again, input)) std::abort();
}

void CheckSealedBox(ByteView input) {
  auto plain = ledger::Open(Recipient(), input, Context());
  if (plain.ok() && plain->size() + ledger::kSealedBoxOverhead != input.size()) std::abort();
  if (!plain.ok()) return;
  // A share that opens still has to recombine to the expected quorum key.
  const ledger::Ed25519PublicKey zero;
  std::vector<Bytes> shares = {*plain, *plain};
  if (ledger::CombineShares(shares, 2, zero).ok()) std::abort();
}

void CheckShares(ByteView input) {
  // Cut the input into share-sized pieces; they can never match an all-zero
  // quorum public key (no seed maps to it).
  std::vector<Bytes> shares;
  for (size_t off = 0; off + ledger::kShareSize <= input.size() && shares.size() < 8;
       off += ledger::kShareSize) {
    shares.emplace_back(input.begin() + static_cast<long>(off),
                        input.begin() + static_cast<long>(off + ledger::kShareSize));
  }
  if (shares.size() < 2) return;
  const ledger::Ed25519PublicKey zero;
  if (ledger::CombineShares(shares, shares.size(), zero).ok()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  CheckManifest(input);
  CheckPolicy(input);
  CheckApproval(input);
  CheckSealedBox(input);
  CheckShares(input);
  return 0;
}
