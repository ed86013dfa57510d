// The retention key lines of a bundle (export-bundle.md §3.3).
#include "ledger/bundle/retention_keys.h"

#include "ledger/bundle/jcs.h"
#include "ledger/codec/event_json.h"
#include "ledger/retention/retention.h"
#include "ledger/retention/retention_map.h"

namespace ledger::bundle {
namespace {

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("malformed_line", "retention.jsonl: " + why);
}

Result<Bytes> Base64Field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return Malformed(std::string("missing field ") + name);
  auto bytes = Base64Decode(it->get<std::string>());
  if (!bytes.ok()) return Malformed(std::string(name) + " is not base64");
  return std::move(bytes).value();
}

}  // namespace

Hash RetentionKeyLine::Key() const {
  switch (kind) {
    case Kind::kSubject:
      return retention_map::SubjectKey(name);
    case Kind::kClass:
      return retention_map::ClassKey(name);
    case Kind::kDisposal:
      break;
  }
  return retention_map::DisposalKey(record_index);
}

std::string RetentionKeyLine::Describe() const {
  switch (kind) {
    case Kind::kSubject:
      return "subject " + name;
    case Kind::kClass:
      return "class " + name;
    case Kind::kDisposal:
      break;
  }
  return "disposal of record " + std::to_string(record_index);
}

Result<std::string> FormatRetentionKeyLine(const RetentionKeyLine& line) {
  nlohmann::json j = {{"proof", Base64Encode(line.proof.Encode())}};
  switch (line.kind) {
    case RetentionKeyLine::Kind::kSubject:
      j["subject"] = line.name;
      break;
    case RetentionKeyLine::Kind::kClass:
      j["class"] = line.name;
      break;
    case RetentionKeyLine::Kind::kDisposal:
      if (!line.record.empty()) return Malformed("a disposal key has no record");
      j["record_index"] = line.record_index;
      break;
  }
  if (!line.record.empty()) j["record"] = Base64Encode(line.record);
  return CanonicalJson(j);
}

Result<RetentionKeyLine> ParseRetentionKeyLine(std::string_view text) {
  ASSIGN_OR_RETURN(nlohmann::json j, codec::ParseJsonStrict(text, kMaxLineSize));
  if (!j.is_object()) return Malformed("a line is not a JSON object");
  RetentionKeyLine line;
  const bool subject = j.contains("subject"), cls = j.contains("class"),
             disposal = j.contains("record_index");
  if (subject + cls + disposal != 1) {
    return Malformed("a line names exactly one of subject, class, record_index");
  }
  if (disposal) {
    line.kind = RetentionKeyLine::Kind::kDisposal;
    if (!j["record_index"].is_number_unsigned()) return Malformed("record_index is not an integer");
    line.record_index = j["record_index"].get<uint64_t>();
  } else {
    line.kind = subject ? RetentionKeyLine::Kind::kSubject : RetentionKeyLine::Kind::kClass;
    const nlohmann::json& name = j[subject ? "subject" : "class"];
    if (!name.is_string()) return Malformed("the name is not a string");
    line.name = name.get<std::string>();
    if (j.contains("record")) {
      ASSIGN_OR_RETURN(line.record, Base64Field(j, "record"));
      if (line.record.empty()) return Malformed("an empty record is left out, not written");
    }
  }
  ASSIGN_OR_RETURN(Bytes proof, Base64Field(j, "proof"));
  ASSIGN_OR_RETURN(line.proof, state_map::Proof::Decode(proof));
  // Re-rendered and compared: one line per value, no extra fields.
  ASSIGN_OR_RETURN(std::string canonical, FormatRetentionKeyLine(line));
  if (canonical != text) return Malformed("line is not in canonical form or has extra fields");
  return line;
}

RetentionKeys RetentionKeysOf(const std::vector<EntryLine>& entries,
                              const std::vector<EntryLine>& evidence,
                              const std::set<Hash>& retained) {
  RetentionKeys keys;
  for (const EntryLine& e : entries) keys.subjects.insert(e.event.subject);
  for (const auto* list : {&entries, &evidence}) {
    for (const EntryLine& e : *list) {
      if (!e.event.retention_class.empty()) keys.classes.insert(e.event.retention_class);
      if (e.event.payload_digest && !retained.contains(*e.event.payload_digest)) {
        keys.disposals.insert(e.index);
      }
      if (RuleOf(e.event) == RetentionRule::kDispose) {
        auto record = DisposedIndex(e.event);
        if (record.ok()) keys.disposals.insert(*record);
      }
    }
  }
  return keys;
}

}  // namespace ledger::bundle
