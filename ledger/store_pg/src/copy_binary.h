// The rows of one batch in COPY's binary format (PostgreSQL docs, "COPY",
// Binary Format): a signature and two int32s, then per row an int16 field
// count and each field as an int32 length and its bytes (network order),
// then int16 -1. Hand-written because libpq sends COPY data but does not
// format it, and binary COPY halves the bytes of hex bytea text.
#pragma once

#include <cstdint>

#include "ledger/base/bytes.h"

namespace ledger::store::pg {

// Rows of the staging table (cf smallint, k bytea, v bytea, del boolean).
class StageRows {
 public:
  StageRows();
  void Add(uint16_t column, ByteView key, ByteView value, bool erase);
  // The complete COPY stream; the object is spent.
  Bytes Finish();
  size_t rows() const { return rows_; }

 private:
  void U16(uint16_t v);
  void U32(uint32_t v);
  void Field(ByteView bytes);
  Bytes out_;
  size_t rows_ = 0;
};

}  // namespace ledger::store::pg
