// The pending-append journal (see LogStore::WritePendingAppend).
#include "keys.h"
#include "ledger/store/log_store.h"
#include "ledger/v1/store.pb.h"

namespace ledger::store {

Status LogStore::WritePendingAppend(const PendingAppend& pending) {
  ledger::v1::PendingAppend rec;
  rec.set_request(std::string(AsString(pending.request)));
  for (const Payload& p : pending.payloads) {
    ledger::v1::PayloadRecord* out = rec.add_payloads();
    out->set_digest(std::string(AsString(p.digest.view())));
    out->set_body(std::string(AsString(p.body)));
    out->set_content_type(p.content_type);
  }
  const std::string bytes = rec.SerializeAsString();
  WriteBatch wb;
  wb.Put(Column::kMeta, keys::PendingAppendKey(), ToBytes(bytes));
  return kv_->Write(wb);
}

Result<LogStore::PendingAppend> LogStore::ReadPendingAppend() const {
  auto raw = kv_->Get(Column::kMeta, keys::PendingAppendKey());
  if (!raw.ok()) {
    if (raw.status().code() == Code::kNotFound) {
      return Status::NotFound("no_pending_append", "no journaled request");
    }
    return raw.status();
  }
  ledger::v1::PendingAppend rec;
  if (!rec.ParseFromArray(raw->data(), static_cast<int>(raw->size()))) {
    return Status::Corruption("malformed_record", "the pending-append journal does not parse");
  }
  PendingAppend out;
  out.request = ToBytes(rec.request());
  for (const auto& p : rec.payloads()) {
    auto digest = Hash::FromBytes(AsBytes(p.digest()));
    if (!digest.ok()) {
      return Status::Corruption("malformed_record", "a journaled payload digest is not 32 bytes");
    }
    out.payloads.push_back({*digest, ToBytes(p.body()), p.content_type()});
  }
  return out;
}

}  // namespace ledger::store
