// Fault injection for the browser tests (ServerOptions::tamper): a malicious
// explorer, to show that the web UI catches it. Compiled in only with the
// build option LEDGER_TEST_HOOKS (ops/test turns it on); otherwise every
// function is a no-op and the explorer binary has no --tamper flag.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace explorer {

#ifdef LEDGER_TEST_HOOKS
// "tile": one byte of every hash tile flipped.
void TamperTile(const std::string& mode, std::string& body);
// "checkpoint": one base64 character of the root line changed.
void TamperCheckpoint(const std::string& mode, std::string& note);
// "entry": the receipt's first inclusion-proof hash altered, in its tlog-proof
// and its inclusion_proof alike, so that only the proof check can catch it.
void TamperEntry(const std::string& mode, nlohmann::json& j);
// "state": the version the state answer's summary shows is one more than its
// proof's.
void TamperState(const std::string& mode, std::string& body);
#else
inline void TamperTile(const std::string&, std::string&) {}
inline void TamperCheckpoint(const std::string&, std::string&) {}
inline void TamperEntry(const std::string&, nlohmann::json&) {}
inline void TamperState(const std::string&, std::string&) {}
#endif

}  // namespace explorer
