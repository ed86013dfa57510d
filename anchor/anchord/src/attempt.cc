// anchord's state file: one JSON object, replaced atomically.
#include "attempt.h"

#include <nlohmann/json.hpp>

#include "ledger/files/read_file.h"
#include "ledger/files/write_file.h"

namespace anchor::anchord {
namespace {

using ledger::Status;

Status Bad(const std::string& path, const std::string& why) {
  return Status::Corruption("bad_state_file", path + ": " + why);
}

}  // namespace

Status WriteAttempt(const std::string& path, const Anchord::Attempt& a) {
  nlohmann::json j = {{"version", 1},
                      {"chain_id", a.chain_id},
                      {"contract", a.contract.Hex()},
                      {"log_id", a.statement.log_id.Hex()},
                      {"tree_size", a.statement.tree_size},
                      {"root_hash", a.statement.root_hash.Hex()},
                      {"map_root", a.statement.map_root.Hex()},
                      {"checkpoint", a.checkpoint},
                      {"signature", ledger::HexEncode(a.signature)},
                      {"from_block", a.from_block},
                      {"timestamp_token", ledger::HexEncode(a.timestamp_token)}};
  Status written = ledger::files::WriteFile(path, j.dump() + "\n");
  if (!written.ok()) return Status::Unavailable("state_write_failed", written.message());
  return Status::Ok();
}

ledger::Result<std::optional<Anchord::Attempt>> ReadAttempt(const std::string& path) {
  auto text = ledger::files::ReadFile(path);
  if (!text.ok()) {
    if (text.status().reason() == "no_such_file") return std::optional<Anchord::Attempt>();
    return text.status();
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || j.value("version", 0) != 1) return Bad(path, "not a version 1 state");
  Anchord::Attempt a;
  try {
    a.chain_id = j.at("chain_id").get<uint64_t>();
    auto contract = evm::Address::FromHex(j.at("contract").get<std::string>());
    auto log_id = ledger::Hash::FromHex(j.at("log_id").get<std::string>());
    auto root = ledger::Hash::FromHex(j.at("root_hash").get<std::string>());
    auto map_root = ledger::Hash::FromHex(j.at("map_root").get<std::string>());
    auto sig = ledger::HexDecode(j.at("signature").get<std::string>());
    if (!contract.ok() || !log_id.ok() || !root.ok() || !map_root.ok() || !sig.ok() ||
        sig->size() != a.signature.size()) {
      return Bad(path, "a field does not parse");
    }
    a.contract = *contract;
    a.statement = {*log_id, j.at("tree_size").get<uint64_t>(), *root, *map_root};
    a.checkpoint = j.at("checkpoint").get<std::string>();
    std::copy(sig->begin(), sig->end(), a.signature.begin());
    a.from_block = j.at("from_block").get<uint64_t>();
    auto token = ledger::HexDecode(j.value("timestamp_token", std::string()));
    if (!token.ok()) return Bad(path, "timestamp_token does not parse");
    a.timestamp_token = *token;
  } catch (const nlohmann::json::exception&) {
    return Bad(path, "a field is missing or has the wrong type");
  }
  return std::optional<Anchord::Attempt>(std::move(a));
}

}  // namespace anchor::anchord
