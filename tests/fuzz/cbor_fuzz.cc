// Fuzzes the strict CBOR decoder (ledger/attestation/cbor.h) that the notary runs on NSM
// responses and attestation documents. Beyond "never crash":
//  - every decoded item's (offset, size) lies inside the input, so RawIn is
//    always safe;
//  - if the deterministic re-encoding succeeds, it decodes again and encodes
//    to the same bytes (RFC 8949 §4.2.1 encoding is idempotent).
#include <cstdint>
#include <cstdlib>

#include "ledger/attestation/cbor.h"

namespace {

using ledger::cbor::Item;

void CheckSpans(const Item& item, size_t input_size) {
  if (item.offset > input_size || item.size > input_size - item.offset || item.size == 0) {
    std::abort();
  }
  for (const Item& child : item.items) CheckSpans(child, input_size);
  for (const auto& [k, v] : item.entries) {
    CheckSpans(k, input_size);
    CheckSpans(v, input_size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ledger::ByteView input(data, size);
  auto item = ledger::cbor::Decode(input);
  if (!item.ok()) return 0;
  CheckSpans(*item, size);
  if (item->offset != 0 || item->size != size) std::abort();
  auto encoded = ledger::cbor::Encode(*item);
  if (!encoded.ok()) return 0;  // e.g. two map keys that only differ in order inside
  // Definite lengths can be a few bytes longer than indefinite ones.
  ledger::cbor::DecodeLimits wide;
  wide.max_size = 1 << 20;
  auto again = ledger::cbor::Decode(*encoded, wide);
  if (!again.ok() || !again->SameValue(*item)) std::abort();
  auto twice = ledger::cbor::Encode(*again);
  if (!twice.ok() || *twice != *encoded) std::abort();
  return 0;
}
