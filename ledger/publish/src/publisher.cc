#include "ledger/publish/publisher.h"

#include <optional>

#include "ledger/note/checkpoint.h"
#include "ledger/publish/tile_files.h"

namespace ledger::publish {
namespace {

// The checkpoint already published, verified with the log key, checked to
// be one the store's head extends. nullopt for an empty directory.
Result<std::optional<Checkpoint>> PublishedCheckpoint(const store::LogStore& store,
                                                      const OutDir& out,
                                                      const Checkpoint& head) {
  auto text = out.Read(kCheckpointPath);
  if (!text.ok() && text.status().code() == Code::kNotFound) return std::optional<Checkpoint>();
  if (!text.ok()) return text.status();
  // The witness policy was met when it was published; the log key's
  // signature shows it is this log's.
  ASSIGN_OR_RETURN(VerifiedCheckpoint published,
                   VerifyCheckpoint(AsString(*text), store.log_verifier()));
  const Checkpoint& cp = published.checkpoint;
  if (cp.size > head.size) {
    return Status::FailedPrecondition(
        "published_checkpoint_rollback",
        "the directory holds the checkpoint of size " + std::to_string(cp.size) +
            "; the store's head has size " + std::to_string(head.size) +
            ": a published checkpoint never goes back");
  }
  ASSIGN_OR_RETURN(Hash root, store.RootAt(cp.size));
  if (root != cp.root) {
    return Status::Corruption("published_checkpoint_fork",
                              "the published checkpoint of size " + std::to_string(cp.size) +
                                  " has root " + cp.root.Hex() + ", the store's tree " +
                                  root.Hex());
  }
  return std::optional<Checkpoint>(cp);
}

// Writes one immutable file, or checks the copy already there.
Status PutImmutable(OutDir& out, const std::string& path, const Bytes& data,
                    PublishReport& report) {
  auto present = out.Read(path);
  if (present.ok()) {
    if (*present != data) {
      return Status::Corruption("published_tile_mismatch",
                                path + " is already published with other bytes (" +
                                    std::to_string(present->size()) + " bytes, the log's " +
                                    std::to_string(data.size()) + "); it is never overwritten");
    }
    ++report.files_present;
    return Status::Ok();
  }
  if (present.status().code() != Code::kNotFound) return present.status();
  RETURN_IF_ERROR(out.Write(path, data));
  ++report.files_written;
  return Status::Ok();
}

}  // namespace

Result<PublishReport> Publish(const store::LogStore& store, OutDir& out) {
  // One head for the whole run: the store may move on meanwhile.
  const VerifiedCheckpoint head = store.latest();
  if (head.note.empty()) {
    return Status::FailedPrecondition("no_checkpoint", "the log has no signed checkpoint yet");
  }
  ASSIGN_OR_RETURN(std::optional<Checkpoint> published,
                   PublishedCheckpoint(store, out, head.checkpoint));
  PublishReport report;
  report.previous_size = published ? published->size : 0;
  report.size = head.checkpoint.size;
  if (published) {
    auto text = out.Read(kCheckpointPath);
    if (text.ok() && AsString(*text) == head.note) return report;  // up to date
  }
  for (const TileFile& file : NewTileFiles(report.previous_size, report.size)) {
    ASSIGN_OR_RETURN(Bytes data, ReadTileFile(store, file));
    RETURN_IF_ERROR(PutImmutable(out, file.Path(), data, report));
  }
  // Last: every file the checkpoint implies is durably in place.
  RETURN_IF_ERROR(out.Write(kCheckpointPath, AsBytes(head.note)));
  report.checkpoint_written = true;
  return report;
}

}  // namespace ledger::publish
