// Fuzzes the RLP decoder and the EIP-1559 transaction decoder. RLP decoding
// is canonical, so whenever it succeeds re-encoding the item tree must give
// back the input byte for byte; a decoded transaction must re-encode to the
// same unsigned payload and carry the hash of its bytes.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "evm/keccak.h"
#include "evm/rlp.h"
#include "evm/transaction.h"

namespace {

using anchor::evm::Bytes;
using anchor::evm::ByteView;
namespace rlp = anchor::evm::rlp;

Bytes Reencode(const rlp::Item& item) {
  if (!item.is_list) return rlp::EncodeBytes(item.bytes);
  std::vector<Bytes> children;
  for (const auto& c : item.items) children.push_back(Reencode(c));
  return rlp::EncodeList(children);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  auto item = rlp::Decode(input);
  if (item.ok()) {
    Bytes again = Reencode(*item);
    if (!std::equal(again.begin(), again.end(), input.begin(), input.end())) std::abort();
  }
  auto tx = anchor::evm::DecodeSignedTx(input);
  if (tx.ok()) {
    if (tx->hash != anchor::evm::Keccak256::Digest(input)) std::abort();
    if (!tx->signature.IsLowS()) std::abort();
    Bytes payload = anchor::evm::UnsignedPayload(tx->tx);
    // The signed form is the unsigned list plus three fields: same type byte.
    if (payload.empty() || payload[0] != input[0]) std::abort();
  }
  return 0;
}
