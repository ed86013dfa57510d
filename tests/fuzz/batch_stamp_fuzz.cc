// Fuzzes batch stamps (stamp.md §7) as the notary meets them: bytes from the
// host claiming to be a submitter's stamp over one event of a request. The
// submitter signed one fixed request of eleven events. Whatever the bytes, a
// stamp that verifies for event k must be exactly the stamp the submitter
// made for event k: a different path, index, count or signature that still
// verified would let the host attach a signature to what was never signed.
// Input: one byte choosing the event, then the stamp bytes.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "ledger/crypto/ed25519.h"
#include "ledger/note/note.h"
#include "ledger/record/stamp.h"

namespace {

using ledger::Bytes;
using ledger::ByteView;

constexpr char kOrigin[] = "fuzz.example/batch";

struct Request {
  std::vector<Bytes> events;
  std::vector<Bytes> stamps;
  std::unique_ptr<ledger::note::Verifier> verifier;
};

const Request& TheRequest() {
  static const Request* request = [] {
    auto* r = new Request();
    auto key = ledger::Ed25519PrivateKey::FromSeed(Bytes(32, 0x42)).value();
    auto signer = ledger::note::NewEd25519Signer("svc-fuzz", std::move(key));
    for (int i = 0; i < 11; ++i) r->events.push_back(Bytes(3 + i, static_cast<uint8_t>(i)));
    r->stamps = ledger::MakeBatchStamps(kOrigin, r->events, *signer).value();
    r->verifier = ledger::note::ParseVerifierKey(signer->VerifierKey()).value();
    return r;
  }();
  return *request;
}

bool Same(const Bytes& a, ByteView b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Request& r = TheRequest();
  const size_t k = data[0] % r.events.size();
  ByteView stamp(data + 1, size - 1);
  auto decoded = ledger::DecodeStamp(stamp);
  if (decoded.ok()) {
    auto again = ledger::EncodeStamp(*decoded);
    if (!again.ok() || !Same(*again, stamp)) std::abort();
  }
  const ledger::note::Verifier* known[] = {r.verifier.get()};
  auto verified = ledger::VerifyStamp(kOrigin, r.events[k], stamp, known);
  if (verified.ok() && !Same(r.stamps[k], stamp)) std::abort();
  if (Same(r.stamps[k], stamp) && !verified.ok()) std::abort();
  return 0;
}
