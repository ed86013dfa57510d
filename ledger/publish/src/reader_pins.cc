#include "ledger/publish/reader_pins.h"

#include <nlohmann/json.hpp>

#include "ledger/files/read_file.h"
#include "ledger/trust/manifest.h"

namespace ledger::publish {

Result<ReaderPins> LoadReaderPins(const std::string& data_dir, const std::string& vkey) {
  const std::string path = data_dir + "/ledger.json";
  auto text = files::ReadFile(path);
  nlohmann::json config;
  if (text.ok()) config = nlohmann::json::parse(*text, nullptr, false);
  std::string pinned = vkey;
  if (pinned.empty()) {
    if (!text.ok()) return text.status();
    if (!config.is_object() || !config["log_vkey"].is_string()) {
      return Status::InvalidArgument("bad_config", path + " names no log_vkey");
    }
    pinned = config["log_vkey"].get<std::string>();
  }
  ReaderPins pins;
  ASSIGN_OR_RETURN(auto key, note::ParseVerifierKey(pinned));
  pins.log_key = std::move(key);
  if (config.is_object() && config["manifest"].is_string()) {
    ASSIGN_OR_RETURN(std::string bytes, files::ReadFile(config["manifest"].get<std::string>()));
    ASSIGN_OR_RETURN(Manifest m, DecodeManifest(AsBytes(bytes)));
    ASSIGN_OR_RETURN(pins.witnesses, WitnessPolicy::FromVkeys(m.witnesses, m.witness_quorum));
  }
  return pins;
}

}  // namespace ledger::publish
