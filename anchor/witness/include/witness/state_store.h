// The witness's own storage: for each log it witnesses, the latest
// checkpoint it cosigned (the signed note: text, the log's verified
// signatures, its own cosignature). The witness is another party's daemon,
// so it keeps its state in a layout of its own rather than in the log's
// column schema (ledger::store).
//
// On disk (RocksDB, the default column family only):
//   "format"           -> "witness-state/1"
//   "latest/" + origin -> 0x01 || SHA-256(key || 0x00 || note) || note
// A record whose version byte or digest does not match, or a database of
// another format, is reported with a stable reason, never trusted or
// crashed on. The witness checks its own cosignature on every note it reads
// besides (witness.h): the digest catches garbled bytes, the cosignature a
// record someone rewrote.
//
// A data directory of the earlier layout (the records under
// "witness/latest/<origin>" in the ledger store's "meta" column family) is
// converted on open, in one synced write, so a witness never restarts empty
// and cosigns what it would have refused.
//
// Thread-safety: Get and Put may be called concurrently; the witness
// serialises its check-and-put itself.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace anchor::witness {

// An interface so that tests can put in a store that fails or is tampered with.
class StateStore {
 public:
  virtual ~StateStore() = default;
  // The latest cosigned note of origin: NotFound("missing_key") if none,
  // Corruption("corrupt_state") if its record is garbled.
  virtual ledger::Result<std::string> Get(std::string_view origin) const = 0;
  // Replaces origin's note; durable (a synced write) before it returns OK.
  // Unavailable("storage_io_error" / "storage_busy") when the disk fails.
  virtual ledger::Status Put(std::string_view origin, std::string_view note) = 0;
};

// Opens (creating it if missing) the witness's RocksDB at dir. Refused:
// FailedPrecondition("unknown_state_format") for a database of another
// format, FailedPrecondition("foreign_state") for one holding anything but a
// witness's records (a log's store, say).
ledger::Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& dir);

}  // namespace anchor::witness
