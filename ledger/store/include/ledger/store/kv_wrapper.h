// A Kv that forwards every call to another Kv: the base for decorators that
// change one behaviour and keep the rest (RocksDB's StackableDB plays the same
// role), such as the fault-injecting backend of the store tests
// (tests/support/faulty_kv.h). Decorators override only what they change.
//
// Thread-safety: that of the wrapped Kv.
#pragma once

#include <memory>
#include <utility>

#include "ledger/store/kv.h"

namespace ledger::store {

class KvWrapper : public Kv {
 public:
  explicit KvWrapper(std::unique_ptr<Kv> target) : target_(std::move(target)) {}

  Result<Bytes> Get(Column c, ByteView key) const override { return target_->Get(c, key); }
  Status Write(const WriteBatch& batch) override { return target_->Write(batch); }
  Status Scan(Column c, ByteView begin, ByteView end, bool reverse,
              const Visitor& fn) const override {
    return target_->Scan(c, begin, end, reverse, fn);
  }
  Status Refresh() override { return target_->Refresh(); }
  uint64_t ApproximateSize(Column c) const override { return target_->ApproximateSize(c); }
  Status CheckDurability() const override { return target_->CheckDurability(); }

  Kv& target() { return *target_; }

 private:
  std::unique_ptr<Kv> target_;
};

}  // namespace ledger::store
