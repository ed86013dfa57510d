// state, verify-state: the state map from the command line (map.md §9).
// `state` answers from a local data directory; `verify-state` checks an
// answer (from here, ledgerd or the explorer) offline with the pinned key.
#include "commands.h"
#include "ledger/codec/event_json.h"
#include "ledger/codec/notary_evidence_json.h"
#include "ledger/codec/state_json.h"
#include "ledger/files/write_file.h"
#include "ledger/note/witness_time.h"
#include "ledger/store/notary_evidence.h"
#include "ledger/store/state_query.h"
#include "local_log.h"
#include "notary_evidence_check.h"
#include "witness_policy.h"

namespace ledger::cli {

Status CmdState(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "vkey", "json", "at", "out"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  if (a.positional().size() < 2) {
    return Status::InvalidArgument("missing_subject", "SUBJECT is required");
  }
  ASSIGN_OR_RETURN(uint64_t at, a.U64("at", 0));
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, false, a.Get("vkey").value_or("")));
  ASSIGN_OR_RETURN(auto answer, store::ProveState(log->store(), a.positional()[1], at));
  // The answer is checked here as any client would check it.
  ASSIGN_OR_RETURN(auto verifier, note::ParseVerifierKey(log->vkey()));
  ASSIGN_OR_RETURN(auto verified, state_map::VerifyStateProof(answer, *verifier));
  nlohmann::json doc = codec::StateProofToJson(answer);
  doc["state"] = codec::VerifiedStateToJson(verified);
  // As ledgerd serves it (ledger/api state_http.cc): the code behind the answer.
  const uint64_t entry = verified.value ? verified.value->index : verified.checkpoint.size - 1;
  if (auto evidence = store::NotaryEvidenceFor(log->store(), entry, verified.checkpoint.size);
      evidence.ok()) {
    doc["notary"] = codec::NotaryEvidenceToJson(*evidence);
  }
  if (auto out = a.Get("out")) {
    RETURN_IF_ERROR(files::WriteFile(*out, doc.dump(2) + "\n"));
  }
  std::string text = a.positional()[1] + ": ";
  if (verified.value) {
    text += "version " + std::to_string(verified.value->version) + ", latest entry " +
            std::to_string(verified.value->index) + ", state " +
            (verified.value->state == state_map::EmptyHash() ? std::string("none")
                                                             : verified.value->state.Hex());
  } else {
    text += "absent";
  }
  text += " (tree size " + std::to_string(verified.checkpoint.size) + ")\n";
  o.Print(doc, text);
  return Status::Ok();
}

namespace {

// The answer's "notary" member (map.md §9), if it has one.
Result<std::optional<NotaryEvidence>> NotaryEvidenceOf(const std::string& text) {
  ASSIGN_OR_RETURN(nlohmann::json j, codec::ParseJsonStrict(text, codec::kMaxStateAnswerSize));
  if (!j.is_object() || !j.contains("notary") || j["notary"].is_null()) {
    return std::optional<NotaryEvidence>();
  }
  ASSIGN_OR_RETURN(NotaryEvidence e, codec::NotaryEvidenceFromJson(j["notary"]));
  return std::optional<NotaryEvidence>(std::move(e));
}

// --stamper NAME, --kind KIND: the state must have been set by an entry of
// that kind stamped by that key (map.md §9), so that a state some other key
// wrote is refused even if it is the latest.
Status CheckStateSetter(const Args& a, const state_map::VerifiedState& v) {
  auto stamper = a.Get("stamper");
  auto kind = a.Get("kind");
  if (!stamper && !kind) return Status::Ok();
  if (!v.set_by_kind) {
    return Status::VerificationFailed("state_setter_unknown",
                                      "the latest entry of the subject did not set its state");
  }
  if (kind) {
    ASSIGN_OR_RETURN(EventKind want, ParseEventKind(*kind));
    if (want != *v.set_by_kind) {
      return Status::VerificationFailed(
          "state_setter_mismatch",
          "the state was set by a " + std::string(EventKindName(*v.set_by_kind)) + " entry");
    }
  }
  if (stamper && *stamper != *v.set_by_stamper) {
    return Status::VerificationFailed(
        "state_setter_mismatch",
        "the state was set by '" + *v.set_by_stamper + "', not '" + *stamper + "'");
  }
  return Status::Ok();
}

}  // namespace

Status CmdVerifyState(const Args& a, const Output& o) {
  RETURN_IF_ERROR(
      a.Allow(CodePinOptions(WitnessPolicyOptions(
          {"vkey", "json", "subject", "expect-state", "min-size", "stamper", "kind"}))));
  ASSIGN_OR_RETURN(std::string vkey, a.Required("vkey"));
  ASSIGN_OR_RETURN(auto verifier, LoadVerifierKey(vkey));
  ASSIGN_OR_RETURN(WitnessPolicy policy, LoadWitnessPolicy(a, *verifier));
  ASSIGN_OR_RETURN(std::optional<CodePins> pins, LoadCodePins(a, *verifier));
  if (a.positional().size() < 2) {
    return Status::InvalidArgument("missing_answer", "ANSWER file is required");
  }
  ASSIGN_OR_RETURN(std::string text, ReadFile(a.positional()[1]));
  ASSIGN_OR_RETURN(auto answer, codec::StateProofFromJson(text));
  ASSIGN_OR_RETURN(std::optional<NotaryEvidence> evidence, NotaryEvidenceOf(text));
  if (auto subject = a.Get("subject"); subject && *subject != answer.subject) {
    return Status::VerificationFailed("subject_mismatch",
                                      "the answer is about " + answer.subject);
  }
  ASSIGN_OR_RETURN(auto verified, state_map::VerifyStateProof(answer, *verifier, policy));
  // The latest entry cannot be dated after the witnesses saw it.
  if (verified.leaf) {
    RETURN_IF_ERROR(
        CheckRecordedAt(verified.leaf->recorded_at_us, verified.cosignatures, policy.quorum));
  }
  // An old checkpoint verifies too: the caller says how recent it must be.
  ASSIGN_OR_RETURN(uint64_t min_size, a.U64("min-size", 0));
  if (verified.checkpoint.size < min_size) {
    return Status::VerificationFailed(
        "stale_checkpoint", "the answer is as of size " + std::to_string(verified.checkpoint.size) +
                                ", older than " + std::to_string(min_size));
  }
  // A service checks the state it loaded: anything but the latest notarized
  // state (say, a database restored from an old backup) is refused.
  if (auto expect = a.Get("expect-state")) {
    ASSIGN_OR_RETURN(Hash want, Hash::FromHex(*expect));
    if (!verified.value || verified.value->state != want) {
      return Status::VerificationFailed(
          "state_not_latest",
          "state " + want.Hex() + " is not the latest notarized state of " + answer.subject);
    }
  }
  RETURN_IF_ERROR(CheckStateSetter(a, verified));
  // The code behind the answer: the notary that sequenced the subject's
  // latest entry, or for an absent subject the checkpoint's last entry.
  const uint64_t entry =
      verified.value ? verified.value->index : verified.checkpoint.size - 1;
  ASSIGN_OR_RETURN(std::optional<std::string> code,
                   CheckCode(pins, evidence, entry, verified.checkpoint, *verifier));
  nlohmann::json doc = codec::VerifiedStateToJson(verified);
  if (code) {
    doc["pcr0"] = HexEncode(pins->pcr0);
    doc["boot_index"] = evidence->boot_index;
  }
  doc["verified"] = true;
  doc["subject"] = answer.subject;
  std::string line = "OK: " + answer.subject + " is " +
                     (verified.value ? "at version " + std::to_string(verified.value->version) +
                                           ", latest entry " + std::to_string(verified.value->index)
                                     : std::string("absent")) +
                     " in " + verified.checkpoint.origin + " at size " +
                     std::to_string(verified.checkpoint.size) + ", " +
                     DescribeWitnessing(policy, verified.cosignatures.size(),
                                        a.Flag("allow-unwitnessed")) +
                     (code ? ", " + *code : std::string()) + "\n";
  doc["cosignatures"] = verified.cosignatures.size();
  o.Print(doc, line);
  return Status::Ok();
}

}  // namespace ledger::cli
