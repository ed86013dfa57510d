#include "copy_binary.h"

namespace ledger::store::pg {

StageRows::StageRows() {
  static constexpr uint8_t kSignature[] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0};
  out_.assign(std::begin(kSignature), std::end(kSignature));
  U32(0);  // flags: no OIDs
  U32(0);  // header extension length
}

void StageRows::U16(uint16_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
}

void StageRows::U32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
}

void StageRows::Field(ByteView bytes) {
  U32(static_cast<uint32_t>(bytes.size()));
  out_.insert(out_.end(), bytes.begin(), bytes.end());
}

void StageRows::Add(uint16_t column, ByteView key, ByteView value, bool erase) {
  U16(4);
  U32(2);
  U16(column);
  Field(key);
  Field(value);
  U32(1);
  out_.push_back(erase ? 1 : 0);
  ++rows_;
}

Bytes StageRows::Finish() {
  U16(0xffff);
  return std::move(out_);
}

}  // namespace ledger::store::pg
