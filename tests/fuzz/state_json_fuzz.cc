// Fuzzes the JSON reader of state answers (ledger/codec/state_json.h).
// Besides "no crash, no hang": an accepted answer written back and read
// again gives the same answer (nothing read is lost or invented).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ledger/codec/state_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto answer = ledger::codec::StateProofFromJson(text);
  if (!answer.ok()) return 0;
  auto again = ledger::codec::StateProofFromJson(ledger::codec::StateProofToJson(*answer).dump());
  if (!again.ok() || again->subject != answer->subject ||
      again->checkpoint_note != answer->checkpoint_note || !(again->map_proof == answer->map_proof) ||
      again->leaf != answer->leaf || again->inclusion_proof != answer->inclusion_proof) {
    std::fprintf(stderr, "state_json_fuzz: round trip changed the answer\n");
    std::abort();
  }
  return 0;
}
