#include "ledger/codec/error_json.h"

#include <string>

namespace ledger::codec {

nlohmann::json ErrorJson(const Status& s) {
  return {{"error",
           {{"code", std::string(CodeName(s.code()))},
            {"reason", s.reason()},
            {"message", s.message()}}}};
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case Code::kInvalidArgument:
    case Code::kVerificationFailed:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kFailedPrecondition:
      return 409;
    case Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace ledger::codec
