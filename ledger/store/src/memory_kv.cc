#include <algorithm>
#include <array>
#include <map>
#include <mutex>

#include "ledger/store/kv.h"

namespace ledger::store {

std::string_view ColumnName(Column c) {
  static constexpr std::array<std::string_view, kColumnCount> kNames = {
      "meta",     "leaves",  "payloads", "tiles",    "checkpoints",
      "by_subject", "by_kind", "by_actor", "by_time", "requests",
      "map_nodes", "map_roots"};
  return kNames[static_cast<size_t>(c)];
}

size_t WriteBatch::ByteSize() const {
  size_t n = 0;
  for (const Op& op : ops) n += op.key.size() + op.value.size();
  return n;
}

struct MemoryKv::Impl {
  mutable std::mutex mu;
  std::array<std::map<Bytes, Bytes>, kColumnCount> columns;
};

MemoryKv::MemoryKv() : impl_(std::make_unique<Impl>()) {}
MemoryKv::~MemoryKv() = default;

Result<Bytes> MemoryKv::Get(Column c, ByteView key) const {
  std::lock_guard<std::mutex> l(impl_->mu);
  const auto& m = impl_->columns[static_cast<size_t>(c)];
  auto it = m.find(Bytes(key.begin(), key.end()));
  if (it == m.end()) return Status::NotFound("missing_key", "no such key");
  return it->second;
}

Status MemoryKv::Write(const WriteBatch& batch) {
  std::lock_guard<std::mutex> l(impl_->mu);
  for (const auto& op : batch.ops) {
    auto& m = impl_->columns[static_cast<size_t>(op.column)];
    if (op.erase) {
      m.erase(op.key);
    } else {
      m[op.key] = op.value;
    }
  }
  return Status::Ok();
}

Status MemoryKv::Scan(Column c, ByteView begin, ByteView end, bool reverse,
                      const Visitor& fn) const {
  // Copy the range under the lock so the visitor may call back into the store.
  std::vector<std::pair<Bytes, Bytes>> items;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    const auto& m = impl_->columns[static_cast<size_t>(c)];
    auto lo = m.lower_bound(Bytes(begin.begin(), begin.end()));
    auto hi = end.empty() ? m.end() : m.lower_bound(Bytes(end.begin(), end.end()));
    for (auto it = lo; it != hi && it != m.end(); ++it) items.emplace_back(*it);
  }
  if (reverse) std::reverse(items.begin(), items.end());
  for (const auto& [k, v] : items) {
    if (!fn(k, v)) break;
  }
  return Status::Ok();
}

uint64_t MemoryKv::ApproximateSize(Column c) const {
  std::lock_guard<std::mutex> l(impl_->mu);
  uint64_t n = 0;
  for (const auto& [k, v] : impl_->columns[static_cast<size_t>(c)]) n += k.size() + v.size();
  return n;
}

}  // namespace ledger::store
