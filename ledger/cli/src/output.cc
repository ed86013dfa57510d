#include "output.h"

#include <ostream>

#include "ledger/base/hash.h"
#include "ledger/cli/ledgerctl.h"

namespace ledger::cli {

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Code::kOk: return kExitOk;
    case Code::kVerificationFailed:
    case Code::kCorruption: return kExitVerificationFailed;
    case Code::kInvalidArgument: return kExitUsage;
    case Code::kNotFound: return kExitNotFound;
    default: return kExitFailed;
  }
}

void Output::Print(const nlohmann::json& doc, const std::string& text) const {
  if (json) {
    out << doc.dump(2) << "\n";
  } else {
    out << text;
  }
}

int Output::Fail(const Status& s) const {
  if (json) {
    nlohmann::json e = {{"error",
                         {{"code", std::string(CodeName(s.code()))},
                          {"reason", s.reason()},
                          {"message", s.message()}}}};
    out << e.dump(2) << "\n";
  } else {
    err << "ledgerctl: " << s.ToString() << "\n";
  }
  return ExitCodeFor(s);
}

nlohmann::json HashesJson(const std::vector<Hash>& hashes) {
  nlohmann::json a = nlohmann::json::array();
  for (const Hash& h : hashes) a.push_back(h.Base64());
  return a;
}

}  // namespace ledger::cli
