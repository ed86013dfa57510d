// Retention state in the state map (retention_map.h, map.md §5b).
#include "ledger/retention/retention_map.h"

#include "ledger/merkle/merkle.h"
#include "ledger/record/leaf.h"

namespace ledger::retention_map {
namespace {

constexpr uint8_t kSubjectTag = 0x01;
constexpr uint8_t kClassTag = 0x02;
constexpr uint8_t kDisposalTag = 0x03;

constexpr uint8_t kPartSubject = 0x01;
constexpr uint8_t kPartClass = 0x02;
constexpr uint8_t kPartDisposal = 0x04;
constexpr uint8_t kPartRecord = 0x08;
constexpr size_t kMaxInclusion = 64;

Hash TaggedKey(uint8_t tag, ByteView body) {
  Sha256 h;
  const uint8_t prefix[2] = {kKeyPrefix, tag};
  h.Update(ByteView(prefix, 2)).Update(body);
  return h.Final();
}

void AppendSized(Bytes& out, ByteView b) {
  AppendU32BE(out, static_cast<uint32_t>(b.size()));
  Append(out, b);
}

Result<ByteView> TakeSized(ByteReader& r) {
  ASSIGN_OR_RETURN(uint32_t n, r.U32BE());
  return r.Take(n);
}

Status Malformed(std::string message) {
  return Status::InvalidArgument("malformed_retention_proof", std::move(message));
}

Result<state_map::Proof> DecodeMapProof(ByteView b) {
  auto p = state_map::Proof::Decode(b);
  if (!p.ok()) return Malformed("a map proof does not decode: " + p.status().message());
  return *p;
}

Status Missing(std::string_view what) {
  return Status::InvalidArgument("retention_proof_missing",
                                 "the entry needs a retention proof of its " + std::string(what));
}

// What a keyed part proves: the key's value (nullopt: absent) and its record.
struct Proven {
  std::optional<state_map::Value> value;
  Bytes record;
};

Result<Proven> VerifyKeyed(const Hash& map_root, const Hash& key,
                           const std::optional<RetentionProof::Keyed>& part,
                           std::string_view what) {
  if (!part) return Missing(what);
  ASSIGN_OR_RETURN(auto value, state_map::VerifyProof(map_root, key, part->proof));
  if (value ? Sha256::Digest(part->record) != value->state : !part->record.empty()) {
    return Status::VerificationFailed(
        "retention_record_mismatch",
        "the " + std::string(what) + " record is not the one the map commits to");
  }
  return Proven{value, part->record};
}

}  // namespace

Hash SubjectKey(std::string_view subject) { return TaggedKey(kSubjectTag, AsBytes(subject)); }
Hash ClassKey(std::string_view class_name) { return TaggedKey(kClassTag, AsBytes(class_name)); }
Hash DisposalKey(uint64_t record_index) {
  Bytes b;
  AppendU64BE(b, record_index);
  return TaggedKey(kDisposalTag, b);
}

state_map::Value RecordValue(const std::optional<state_map::Value>& previous, uint64_t index,
                             ByteView record) {
  return state_map::Value{index, previous ? previous->version + 1 : 1, Sha256::Digest(record)};
}

state_map::Value DisposalValue(uint64_t disposal_index, const Hash& payload_digest) {
  return state_map::Value{disposal_index, 1, payload_digest};
}

Bytes RetentionProof::Encode() const {
  Bytes out;
  AppendU8(out, 0x01);
  AppendU8(out, (subject ? kPartSubject : 0) | (cls ? kPartClass : 0) |
                    (disposal ? kPartDisposal : 0) | (record ? kPartRecord : 0));
  for (const auto* part : {&subject, &cls}) {
    if (!*part) continue;
    AppendSized(out, (*part)->proof.Encode());
    AppendSized(out, (*part)->record);
  }
  if (disposal) AppendSized(out, disposal->Encode());
  if (record) {
    AppendSized(out, record->leaf);
    AppendU8(out, static_cast<uint8_t>(record->inclusion.size()));
    for (const Hash& h : record->inclusion) Append(out, h.view());
  }
  return out;
}

Result<RetentionProof> RetentionProof::Decode(ByteView bytes) {
  ByteReader r(bytes, "malformed_retention_proof");
  ASSIGN_OR_RETURN(uint8_t version, r.U8());
  if (version != 0x01) return Malformed("unknown retention proof version");
  ASSIGN_OR_RETURN(uint8_t parts, r.U8());
  if ((parts & ~(kPartSubject | kPartClass | kPartDisposal | kPartRecord)) != 0) {
    return Malformed("unknown retention proof part");
  }
  RetentionProof p;
  for (auto [bit, part] : {std::pair{kPartSubject, &p.subject}, std::pair{kPartClass, &p.cls}}) {
    if ((parts & bit) == 0) continue;
    ASSIGN_OR_RETURN(ByteView proof, TakeSized(r));
    ASSIGN_OR_RETURN(ByteView record, TakeSized(r));
    ASSIGN_OR_RETURN(state_map::Proof decoded, DecodeMapProof(proof));
    *part = Keyed{std::move(decoded), Bytes(record.begin(), record.end())};
  }
  if (parts & kPartDisposal) {
    ASSIGN_OR_RETURN(ByteView proof, TakeSized(r));
    ASSIGN_OR_RETURN(p.disposal, DecodeMapProof(proof));
  }
  if (parts & kPartRecord) {
    RecordLeaf leaf;
    ASSIGN_OR_RETURN(ByteView bytes_leaf, TakeSized(r));
    leaf.leaf.assign(bytes_leaf.begin(), bytes_leaf.end());
    ASSIGN_OR_RETURN(uint8_t n, r.U8());
    if (n > kMaxInclusion) return Malformed("inclusion proof too long");
    for (uint8_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(ByteView h, r.Take(Hash::kSize));
      leaf.inclusion.push_back(Hash::FromBytes(h).value());
    }
    p.record = std::move(leaf);
  }
  RETURN_IF_ERROR(r.ExpectEnd());
  return p;
}

Status ApplyEntry(const Event& e, const Stamper& stamper, uint64_t index, uint64_t now_us,
                  const LogRoot& log, const RetentionProof& proof, Hash& map_root) {
  const RetentionRule rule = RuleOf(e);
  switch (rule) {
    case RetentionRule::kNone:
      return Status::Ok();
    case RetentionRule::kConfigureClass: {
      const Hash key = ClassKey(ConfiguredClass(e));
      ASSIGN_OR_RETURN(Proven current, VerifyKeyed(map_root, key, proof.cls, "class"));
      std::optional<ClassRetention> cls;
      if (current.value) {
        ASSIGN_OR_RETURN(cls, ClassRetention::Decode(current.record));
      }
      RETURN_IF_ERROR(ConfigureClass(e, cls));
      const Bytes record = cls->Encode();
      ASSIGN_OR_RETURN(map_root, state_map::ApplyUpdate(map_root, key, proof.cls->proof,
                                                        RecordValue(current.value, index, record)));
      return Status::Ok();
    }
    case RetentionRule::kExtend:
    case RetentionRule::kPlaceHold:
    case RetentionRule::kReleaseHold: {
      const Hash key = SubjectKey(e.subject);
      ASSIGN_OR_RETURN(Proven current, VerifyKeyed(map_root, key, proof.subject, "subject"));
      SubjectRetention s;
      if (current.value) {
        ASSIGN_OR_RETURN(s, SubjectRetention::Decode(current.record));
      }
      RETURN_IF_ERROR(rule == RetentionRule::kExtend      ? ExtendRetention(e, s)
                      : rule == RetentionRule::kPlaceHold ? PlaceHold(e, stamper, s)
                                                          : ReleaseHold(e, stamper, s));
      const Bytes record = s.Encode();
      ASSIGN_OR_RETURN(map_root, state_map::ApplyUpdate(map_root, key, proof.subject->proof,
                                                        RecordValue(current.value, index, record)));
      return Status::Ok();
    }
    case RetentionRule::kDispose: {
      ASSIGN_OR_RETURN(uint64_t record_index, DisposedIndex(e));
      // The record itself: an entry of the head this batch extends.
      if (record_index >= log.size) {
        return Status::FailedPrecondition(
            "unknown_record", "disposal of record " + std::to_string(record_index) +
                                  ", beyond the log's " + std::to_string(log.size) + " entries");
      }
      if (!proof.record) return Missing("record");
      if (Status s =
              merkle::VerifyInclusion(record_index, log.size, merkle::LeafHash(proof.record->leaf),
                                      proof.record->inclusion, log.root);
          !s.ok()) {
        return Status::VerificationFailed("record_proof_mismatch",
                                          "the disposed record's leaf: " + s.ToString());
      }
      ASSIGN_OR_RETURN(Leaf leaf, DecodeLeaf(proof.record->leaf));
      ASSIGN_OR_RETURN(Event recorded, DecodeEvent(leaf.event));
      if (leaf.index != record_index) {
        return Status::VerificationFailed("record_proof_mismatch", "the leaf has another index");
      }
      const RetentionRecord r{record_index, leaf.recorded_at_us, recorded.subject,
                              recorded.retention_class, recorded.payload_digest};
      RETURN_IF_ERROR(CheckDisposalNames(e, r));
      ASSIGN_OR_RETURN(Proven subject,
                       VerifyKeyed(map_root, SubjectKey(e.subject), proof.subject, "subject"));
      SubjectRetention s;
      if (subject.value) {
        ASSIGN_OR_RETURN(s, SubjectRetention::Decode(subject.record));
      }
      std::optional<ClassRetention> cls;
      if (!r.retention_class.empty()) {
        ASSIGN_OR_RETURN(Proven c,
                         VerifyKeyed(map_root, ClassKey(r.retention_class), proof.cls, "class"));
        if (c.value) {
          ASSIGN_OR_RETURN(cls, ClassRetention::Decode(c.record));
        }
      }
      if (!proof.disposal) return Missing("disposal key");
      const Hash key = DisposalKey(record_index);
      ASSIGN_OR_RETURN(auto disposed, state_map::VerifyProof(map_root, key, *proof.disposal));
      RETURN_IF_ERROR(CheckDisposal(r, cls, s, disposed.has_value(), now_us));
      ASSIGN_OR_RETURN(map_root, state_map::ApplyUpdate(map_root, key, *proof.disposal,
                                                        DisposalValue(index, *r.payload_digest)));
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace ledger::retention_map
