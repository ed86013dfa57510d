// CheckStoredAppProof (stored_app_proof.h).
#include "stored_app_proof.h"

#include <string>

#include "ledger/note/checkpoint.h"
#include "notary/app_proof.h"

namespace ledger::store {

Status CheckStoredAppProof(const ledger::v1::StoredCheckpoint& rec,
                           const note::Verifier& log_key) {
  if (!rec.has_app_proof()) return Status::Ok();
  const ledger::v1::BatchAppProof& ap = rec.app_proof();
  auto bad = [&](const std::string& why) {
    return Status::Corruption("bad_checkpoint", "the app proof stored with checkpoint " +
                                                    std::to_string(rec.size()) + " " + why);
  };
  auto notary_note = note::Parse(ap.notary_note());
  auto stored_note = note::Parse(rec.note());
  auto vc = VerifyCheckpoint(ap.notary_note(), log_key);
  if (!notary_note.ok() || !stored_note.ok() || !vc.ok() ||
      notary_note->text != stored_note->text || vc->checkpoint.size != rec.size()) {
    return bad("keeps another checkpoint than the stored one");
  }
  if (ap.count() == 0 || ap.count() > rec.size() || ap.first_index() != rec.size() - ap.count()) {
    return bad("names another batch");
  }
  if (!notary::VerifyAppProof(ap.notary_note(), ap.first_index(), ap.count(),
                              AsBytes(ap.payload()), AsBytes(ap.signature()),
                              AsBytes(ap.public_key()))
           .ok()) {
    return bad("does not verify");
  }
  return Status::Ok();
}

}  // namespace ledger::store
