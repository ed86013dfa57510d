// ledgerctl publish-tiles: the log as static C2SP tlog-tiles files
// (ledger/publish/publisher.h, docs/operations.md "Publishing tiles").
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <optional>
#include <thread>

#include "commands.h"
#include "ledger/publish/publisher.h"
#include "ledger/publish/reader_pins.h"
#include "ledger/store/kv.h"
#include "ledger/store_open/store_open.h"

namespace ledger::cli {
namespace {

namespace fs = std::filesystem;

volatile std::sig_atomic_t g_stop = 0;
void OnStopSignal(int) { g_stop = 1; }

// A RocksDB secondary instance's own folder (its info log), removed when
// the command ends.
struct SecondaryDir {
  fs::path path;
  SecondaryDir()
      : path(fs::temp_directory_path() / ("ledgerctl-publish-" + std::to_string(::getpid()))) {
    std::error_code ec;
    fs::create_directories(path, ec);
  }
  ~SecondaryDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// The store as the explorer opens it: a follower of a running ledgerd (a
// RocksDB secondary instance, or PostgreSQL's replica if ledger.json names
// one), the pinned log key, and the manifest's witness policy, so that only
// checkpoints the witnesses cosigned are published.
Result<std::unique_ptr<store::LogStore>> OpenReader(const std::string& data,
                                                    const std::string& vkey,
                                                    const SecondaryDir& secondary) {
  ASSIGN_OR_RETURN(publish::ReaderPins pins, publish::LoadReaderPins(data, vkey));
  ASSIGN_OR_RETURN(store::StoreConfig config, store::ReadStoreConfig(data));
  store::StoreOpenOptions open;
  open.access = store::StoreAccess::kFollower;
  open.secondary_path = secondary.path.string();
  open.prefer_replica = true;
  ASSIGN_OR_RETURN(auto kv, store::OpenStore(data, config, open));
  store::LogStoreOptions options;
  options.witnesses = std::move(pins.witnesses);
  return store::LogStore::Open(std::move(kv), pins.log_key, options);
}

void Report(const Output& o, const publish::PublishReport& r) {
  std::string text =
      r.checkpoint_written
          ? "published checkpoint " + std::to_string(r.size) + " (previous " +
                std::to_string(r.previous_size) + "): " + std::to_string(r.files_written) +
                " files written, " + std::to_string(r.files_present) + " already present"
          : "up to date at checkpoint " + std::to_string(r.size);
  text += "\n";
  o.Print({{"previous_size", r.previous_size},
           {"size", r.size},
           {"files_written", r.files_written},
           {"files_present", r.files_present},
           {"checkpoint_written", r.checkpoint_written}},
          text);
}

}  // namespace

Status CmdPublishTiles(const Args& a, const Output& o) {
  RETURN_IF_ERROR(a.Allow({"data", "out", "follow", "vkey", "json"}));
  ASSIGN_OR_RETURN(std::string data, a.Required("data"));
  ASSIGN_OR_RETURN(std::string out_root, a.Required("out"));
  std::optional<uint64_t> follow;
  if (auto f = a.Get("follow")) {
    ASSIGN_OR_RETURN(follow, ParseU64(*f, "--follow"));
    if (*follow == 0) return Status::InvalidArgument("bad_follow", "--follow needs SECONDS >= 1");
  }
  SecondaryDir secondary;
  ASSIGN_OR_RETURN(auto log, OpenReader(data, a.Get("vkey").value_or(""), secondary));
  ASSIGN_OR_RETURN(auto out, publish::OpenLocalDir(out_root));
  if (follow) {
    // Stop between two runs; a run killed half-way is safe too (the
    // checkpoint is written last and the next run completes it).
    g_stop = 0;
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
  }
  uint64_t last_size = UINT64_MAX;
  while (true) {
    ASSIGN_OR_RETURN(publish::PublishReport report, publish::Publish(*log, *out));
    if (!follow || report.checkpoint_written || report.size != last_size) Report(o, report);
    o.out.flush();
    last_size = report.size;
    if (!follow) return Status::Ok();
    for (uint64_t ms = 0; ms < *follow * 1000 && !g_stop; ms += 100) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (g_stop) return Status::Ok();
    RETURN_IF_ERROR(log->Refresh());
  }
}

}  // namespace ledger::cli
