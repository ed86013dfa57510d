// What a reader of a ledgerd data directory pins before it serves or
// publishes anything from the store (the explorer, ledgerctl publish-tiles):
// the log's verifier key and the deployment's witness policy.
//
// Thread-safety: free functions.
#pragma once

#include <memory>
#include <string>

#include "ledger/note/checkpoint.h"
#include "ledger/note/note.h"

namespace ledger::publish {

struct ReaderPins {
  std::shared_ptr<const note::Verifier> log_key;
  // The manifest's witness keys and quorum (ledger.json "manifest"); none for
  // a log without a manifest (ledgerctl init's development logs). Readers
  // open the store with it (LogStoreOptions::witnesses), so that they adopt
  // only checkpoints the witnesses have cosigned.
  WitnessPolicy witnesses;
};

// From DATA_DIR/ledger.json: "log_vkey" (unless `vkey` is given) and the
// manifest it names. InvalidArgument("bad_config") when ledger.json names
// no log_vkey; the key's, the manifest file's and the manifest's errors.
Result<ReaderPins> LoadReaderPins(const std::string& data_dir, const std::string& vkey = "");

}  // namespace ledger::publish
