#include "ledger/store_open/store_open.h"

#include <nlohmann/json.hpp>
#include <regex>

#include "ledger/files/read_file.h"
#include "ledger/store_pg/pg_kv.h"

namespace ledger::store {

Result<StoreConfig> ReadStoreConfig(const std::string& data_dir) {
  ASSIGN_OR_RETURN(std::string text, files::ReadFile(data_dir + "/ledger.json"));
  const nlohmann::json config = nlohmann::json::parse(text, nullptr, false);
  if (!config.is_object()) {
    return Status::InvalidArgument("bad_config", data_dir + "/ledger.json is not a JSON object");
  }
  StoreConfig out;
  if (!config.contains("store")) return out;
  const nlohmann::json& store = config["store"];
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("bad_config", data_dir + "/ledger.json: store: " + why);
  };
  if (!store.is_object()) return bad("not an object");
  for (const auto& [key, value] : store.items()) {
    if (key != "postgres" && key != "postgres_replica") return bad("unknown member " + key);
    if (!value.is_string() || value.get<std::string>().empty()) {
      return bad(key + " is not a non-empty string");
    }
  }
  if (!store.contains("postgres")) return bad("names no backend (postgres)");
  out.postgres = store["postgres"].get<std::string>();
  if (store.contains("postgres_replica")) {
    out.postgres_replica = store["postgres_replica"].get<std::string>();
  }
  return out;
}

Result<std::unique_ptr<Kv>> OpenStore(const std::string& data_dir, const StoreConfig& config,
                                      const StoreOpenOptions& options) {
  if (config.on_postgres()) {
    PgKvOptions o;
    const bool writer =
        options.access == StoreAccess::kCreate || options.access == StoreAccess::kWriter;
    o.mode = writer ? PgKvOptions::Mode::kWriter : PgKvOptions::Mode::kReader;
    o.create_if_missing = options.access == StoreAccess::kCreate;
    const std::string& conninfo = !writer && options.prefer_replica && !config.postgres_replica.empty()
                                      ? config.postgres_replica
                                      : config.postgres;
    ASSIGN_OR_RETURN(auto kv, OpenPgKv(conninfo, o));
    return std::unique_ptr<Kv>(std::move(kv));
  }
  RocksDbOptions o;
  switch (options.access) {
    case StoreAccess::kCreate:
      o.create_if_missing = true;
      break;
    case StoreAccess::kWriter:
      break;
    case StoreAccess::kReadOnly:
      o.mode = RocksDbOptions::Mode::kReadOnly;
      break;
    case StoreAccess::kFollower:
      o.mode = RocksDbOptions::Mode::kSecondary;
      o.secondary_path = options.secondary_path;
      break;
  }
  return OpenRocksDb(data_dir + "/store", o);
}

std::string DescribeStore(const std::string& data_dir, const StoreConfig& config) {
  if (!config.on_postgres()) return "rocksdb " + data_dir + "/store";
  // Never log a password, whichever syntax carries it.
  static const std::regex kKeyValue(R"(password\s*=\s*('([^'\\]|\\.)*'|\S+))");
  static const std::regex kUri(R"((://[^:/@]*):[^@/]*@)");
  std::string safe = std::regex_replace(config.postgres, kKeyValue, "password=***");
  safe = std::regex_replace(safe, kUri, "$1:***@");
  return "postgresql " + safe;
}

}  // namespace ledger::store
