// Fuzz target: the notary's frame parser (notary/frame.h), which reads what
// an untrusted host sends. Whatever it accepts must re-encode to the exact
// input (one encoding per message); anything else must be refused cleanly.
#include <cstdint>
#include <algorithm>
#include <cstdlib>

#include "notary/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ledger::ByteView input(data, size);
  auto request = notary::frame::DecodeRequest(input);
  if (request.ok()) {
    auto again = notary::frame::EncodeRequest(*request);
    if (!again.ok() || ledger::ByteView(*again).size() != size ||
        !std::equal(again->begin(), again->end(), data)) {
      std::abort();
    }
  }
  auto response = notary::frame::DecodeResponse(input);
  if (response.ok()) {
    auto again = notary::frame::EncodeResponse(*response);
    if (!again.ok() || again->size() != size || !std::equal(again->begin(), again->end(), data)) {
      std::abort();
    }
  }
  return 0;
}
