// Retention state in the state map (schemas/formats/map.md §5b,
// retention.md §5): the keys, the proof a host sends with each retention
// entry, and the check-and-update the notary's sequencer runs.
//
// Three kinds of keys, all with the prefix byte 0x14 (never a subject key,
// 0x12, nor a stamp key, 0x13), and their values:
//   subject key   SHA-256(0x14 || 0x01 || subject)
//                 {index, version, SHA-256(SubjectRetention record)}
//   class key     SHA-256(0x14 || 0x02 || class name)
//                 {index, version, SHA-256(ClassRetention record)}
//   disposal key  SHA-256(0x14 || 0x03 || record index:u64)
//                 {index of the disposal, 1, payload digest}
// `index` is the log index of the last entry that set the key and `version`
// how many did. A value holds 48 bytes; the records (retention.h) are its
// state's SHA-256 preimages, which the host stores and sends with the proof.
//
// Thread-safety: value types and free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ledger/base/bytes.h"
#include "ledger/base/hash.h"
#include "ledger/base/status.h"
#include "ledger/record/event.h"
#include "ledger/record/state_map.h"
#include "ledger/retention/retention.h"

namespace ledger::retention_map {

inline constexpr uint8_t kKeyPrefix = 0x14;

Hash SubjectKey(std::string_view subject);
Hash ClassKey(std::string_view class_name);
Hash DisposalKey(uint64_t record_index);

// The value a key gets from the entry at `index` that changed its record to
// `record` (the encoded SubjectRetention or ClassRetention).
state_map::Value RecordValue(const std::optional<state_map::Value>& previous, uint64_t index,
                             ByteView record);
// The value of a record's disposal key once the entry at `disposal_index`
// disposed of a body with digest `payload_digest`.
state_map::Value DisposalValue(uint64_t disposal_index, const Hash& payload_digest);

// What the host proves with one retention entry (RuleOf != kNone), each part
// against the map as it is after the entry's stamp key and subject updates
// (the parts read by a disposal do not move the root; only its disposal key
// does, last):
//   kConfigureClass: cls                 (ConfiguredClass(event))
//   kExtend, k*Hold: subject             (the event's subject)
//   kDispose:        record, subject, cls (the record's class; omitted when
//                    it has none), disposal
// `record` is the disposed entry's leaf with its RFC 9162 inclusion proof
// against the head the batch extends.
struct RetentionProof {
  struct Keyed {
    state_map::Proof proof;
    Bytes record;  // the value's state preimage; empty when the key is absent
    bool operator==(const Keyed&) const = default;
  };
  struct RecordLeaf {
    Bytes leaf;
    std::vector<Hash> inclusion;
    bool operator==(const RecordLeaf&) const = default;
  };
  std::optional<Keyed> subject;
  std::optional<Keyed> cls;
  std::optional<state_map::Proof> disposal;
  std::optional<RecordLeaf> record;
  bool operator==(const RetentionProof&) const = default;

  // 0x01 || parts:u8 (0x01 subject, 0x02 class, 0x04 disposal, 0x08 record)
  //      || [subject: len:u32 proof len:u32 record] || [class: same]
  //      || [disposal: len:u32 proof] || [record: len:u32 leaf n:u8 n×32]
  Bytes Encode() const;
  // Strict inverse: InvalidArgument("malformed_retention_proof").
  static Result<RetentionProof> Decode(ByteView bytes);
};

// The head a batch extends: disposed records are proven against it.
struct LogRoot {
  uint64_t size = 0;
  Hash root;
};

// The notary's check of one entry (the sequencer calls it for every entry
// whose RuleOf is not kNone): verifies every part of `proof` against
// `map_root` (map_proof_mismatch, retention_record_mismatch when a record is
// not the value's preimage, record_proof_mismatch for the record's leaf),
// applies the rule at `now_us` with the entry's `stamper`, and moves
// `map_root`. Refusals carry the stable reasons of retention.md §3
// (FailedPrecondition); InvalidArgument("retention_proof_missing") when a
// part the rule needs is absent. On error `map_root` is unchanged.
Status ApplyEntry(const Event& event, const Stamper& stamper, uint64_t index, uint64_t now_us,
                  const LogRoot& log, const RetentionProof& proof, Hash& map_root);

}  // namespace ledger::retention_map
