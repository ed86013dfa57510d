// AuditNotaryRecords (notary_records.h).
#include "ledger/store/notary_records.h"

#include <set>

#include "ledger/record/leaf.h"
#include "ledger/record/ownership.h"

namespace ledger::store {

Status AuditNotaryRecords(const LogStore& st) {
  const uint64_t size = st.size();
  std::set<uint64_t> records;
  std::vector<EntryQuery> queries(4);
  queries[0].kind = EventKind::kEnclaveBooted;
  queries[1].kind = EventKind::kPolicyChanged;
  // The subjects the notary writes (boot_event.cc, policy_change.cc).
  queries[2].subject = "notary/" + st.origin();
  queries[3].subject = "notary-policy/" + st.origin();
  for (EntryQuery& q : queries) {
    q.limit = SIZE_MAX;
    ASSIGN_OR_RETURN(auto found, st.FindEntries(q));
    records.insert(found.begin(), found.end());
  }
  for (uint64_t i : records) {
    ASSIGN_OR_RETURN(LeafWithProof l, st.GetLeaf(i, size));
    ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(l.leaf));
    if (!StampedByLogKey(leaf, st.log_verifier())) {
      return Status::VerificationFailed(
          "forged_notary_record",
          "entry " + std::to_string(i) + " claims to be the notary's without the log key's stamp");
    }
  }
  return Status::Ok();
}

}  // namespace ledger::store
