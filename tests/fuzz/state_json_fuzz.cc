// Fuzzes the JSON reader of state answers (ledger/codec/state_json.h) and of
// the notary evidence they carry (notary_evidence_json.h). Besides "no crash,
// no hang": an accepted answer or evidence written back and read again gives
// the same one (nothing read is lost or invented).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ledger/codec/event_json.h"
#include "ledger/codec/notary_evidence_json.h"
#include "ledger/codec/state_json.h"

namespace {

void FuzzNotaryEvidence(std::string_view text) {
  auto j = ledger::codec::ParseJsonStrict(text, ledger::codec::kMaxStateAnswerSize);
  if (!j.ok() || !j->is_object() || !j->contains("notary")) return;
  auto e = ledger::codec::NotaryEvidenceFromJson((*j)["notary"]);
  if (!e.ok()) return;
  auto again = ledger::codec::NotaryEvidenceFromJson(ledger::codec::NotaryEvidenceToJson(*e));
  if (!again.ok() || again->batch_checkpoint != e->batch_checkpoint ||
      again->first_index != e->first_index || again->count != e->count ||
      again->batch_consistency != e->batch_consistency ||
      again->app_proof_payload != e->app_proof_payload ||
      again->app_proof_signature != e->app_proof_signature ||
      again->app_proof_public_key != e->app_proof_public_key ||
      again->boot_index != e->boot_index || again->boot_leaf != e->boot_leaf ||
      again->boot_inclusion != e->boot_inclusion || again->attestation != e->attestation ||
      again->pcr0 != e->pcr0) {
    std::fprintf(stderr, "state_json_fuzz: round trip changed the notary evidence\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzNotaryEvidence(text);
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
