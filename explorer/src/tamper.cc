// Fault injection for the browser tests (tamper.h); built only with
// LEDGER_TEST_HOOKS.
#include "tamper.h"

#include <cstdint>

namespace explorer {

void TamperTile(const std::string& mode, std::string& body) {
  if (mode == "tile" && !body.empty()) body[body.size() / 2] ^= 0x01;
}

void TamperCheckpoint(const std::string& mode, std::string& note) {
  if (mode != "checkpoint") return;
  // Line 3 is the root: change one base64 character.
  size_t first = note.find('\n');
  size_t second = first == std::string::npos ? first : note.find('\n', first + 1);
  if (second != std::string::npos && second + 1 < note.size()) {
    char& c = note[second + 1];
    c = c == 'A' ? 'B' : 'A';
  }
}

void TamperEntry(const std::string& mode, nlohmann::json& j) {
  if (mode != "entry" || !j.contains("receipt")) return;
  nlohmann::json& r = j["receipt"];
  if (r["inclusion_proof"].empty()) return;
  std::string old = r["inclusion_proof"][0].get<std::string>();
  std::string altered = old;
  altered[0] = altered[0] == 'A' ? 'B' : 'A';
  std::string proof = r["tlog_proof"].get<std::string>();
  size_t at = proof.find("\n" + old + "\n");
  if (at != std::string::npos) proof.replace(at + 1, old.size(), altered);
  r["tlog_proof"] = proof;
  r["inclusion_proof"][0] = altered;
}

void TamperState(const std::string& mode, std::string& body) {
  if (mode != "state") return;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || !j["state"].is_object() || !j["state"].contains("version")) return;
  j["state"]["version"] = j["state"]["version"].get<uint64_t>() + 1;
  body = j.dump();
}

}  // namespace explorer
