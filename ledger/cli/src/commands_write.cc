// init, append, checkpoint.
#include <istream>

#include "commands.h"
#include "ledger/note/tlog_proof.h"
#include "local_log.h"

namespace ledger::cli {

Status CmdInit(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "origin", "notary", "vkey", "submitter-key", "manifest",
                           "store-postgres", "store-postgres-replica", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  std::string origin;
  if (auto socket = a.Get("notary")) {
    ASSIGN_OR_RETURN(std::string vkey_arg, a.Required("vkey"));
    ASSIGN_OR_RETURN(auto verifier, LoadVerifierKey(vkey_arg));
    ASSIGN_OR_RETURN(std::string submitter, a.Required("submitter-key"));
    store::StoreConfig store_config;
    store_config.postgres = a.Get("store-postgres").value_or("");
    store_config.postgres_replica = a.Get("store-postgres-replica").value_or("");
    if (!store_config.postgres_replica.empty() && store_config.postgres.empty()) {
      return Status::InvalidArgument("bad_arguments",
                                     "--store-postgres-replica needs --store-postgres");
    }
    RETURN_IF_ERROR(LocalLog::InitWithNotary(dir, *socket, verifier->VerifierKey(), submitter,
                                             a.Get("manifest").value_or(""), store_config));
    // Opening for writing performs the notary's genesis (ENCLAVE_BOOTED).
    ASSIGN_OR_RETURN(auto w, LocalLog::Open(dir, true));
    origin = w->store().origin();
  } else {
    if (a.Get("store-postgres")) {
      return Status::InvalidArgument("bad_arguments",
                                     "--store-postgres is for logs kept by a notary (--notary)");
    }
    ASSIGN_OR_RETURN(origin, a.Required("origin"));
    RETURN_IF_ERROR(LocalLog::Init(dir, origin));
  }
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, false));
  auto cp = log->store().latest();
  o.Print({{"origin", origin}, {"vkey", log->vkey()}, {"checkpoint", cp.note}},
          "initialized log " + origin + " in " + dir + "\nverifier key: " + log->vkey() +
              "\n\n" + cp.note);
  return Status::Ok();
}

Status CmdAppend(const Args& a, std::istream& in, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "batch-size", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  ASSIGN_OR_RETURN(uint64_t batch_size, a.U64("batch-size", 1000));
  if (batch_size == 0 || batch_size > 10000) {
    return Status::InvalidArgument("bad_batch_size", "--batch-size must be 1..10000");
  }
  // Parse everything before writing anything: a bad line appends nothing.
  ASSIGN_OR_RETURN(std::vector<Record> records, ReadRecords(a.positional(), in));
  if (records.empty()) return Status::InvalidArgument("no_events", "no events in the input");
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, true));
  nlohmann::json entries = nlohmann::json::array();
  std::string text;
  std::string last_note;
  for (size_t i = 0; i < records.size(); i += batch_size) {
    std::vector<Record> chunk(records.begin() + static_cast<std::ptrdiff_t>(i),
                              records.begin() + static_cast<std::ptrdiff_t>(
                                                    std::min(records.size(), i + batch_size)));
    ASSIGN_OR_RETURN(SequencedBatch b, log->Append(chunk));
    for (size_t j = 0; j < b.leaves.size(); ++j) {
      const Event& e = chunk[j].event;
      uint64_t index = b.first_index + j;
      entries.push_back({{"index", index},
                         {"leaf_hash", b.leaf_hashes[j].Hex()},
                         {"event_id", e.event_id},
                         {"kind", std::string(EventKindName(e.kind))},
                         {"subject", e.subject}});
      text += "#" + std::to_string(index) + "  " + std::string(EventKindName(e.kind)) + "  " +
              e.subject + "  leaf " + b.leaf_hashes[j].Hex().substr(0, 16) + "\n";
    }
    last_note = b.checkpoint_note;
  }
  o.Print({{"entries", entries}, {"checkpoint", last_note}},
          text + "\nappended " + std::to_string(records.size()) + " entries; checkpoint:\n" +
              last_note);
  return Status::Ok();
}

Status CmdCheckpoint(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "size", "vkey", "json"}));
  ASSIGN_OR_RETURN(std::string dir, a.Required("data"));
  ASSIGN_OR_RETURN(auto log, LocalLog::Open(dir, false, a.Get("vkey").value_or("")));
  std::string note;
  if (auto size = a.Get("size")) {
    ASSIGN_OR_RETURN(uint64_t n, ParseU64(*size, "--size"));
    ASSIGN_OR_RETURN(note, log->store().CheckpointAt(n));
  } else {
    note = log->store().latest().note;
  }
  ASSIGN_OR_RETURN(auto note_parsed, note::Parse(note));
  ASSIGN_OR_RETURN(Checkpoint cp, Checkpoint::FromText(note_parsed.text));
  o.Print({{"origin", cp.origin},
           {"size", cp.size},
           {"root", cp.root.Base64()},
           {"note", note},
           {"vkey", log->vkey()}},
          note);
  return Status::Ok();
}

}  // namespace ledger::cli
