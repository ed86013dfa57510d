// The serving loop (see notary/serve.h).
#include "notary/serve.h"

#include <string>
#include <unistd.h>

#include "notary/frame.h"

namespace notary {

using ledger::Status;

namespace {

Status Send(int fd, const pb::NotaryResponse& response) {
  auto frame = frame::EncodeResponse(response);
  if (!frame.ok()) {
    // Only a response larger than a frame can fail here; say so instead.
    auto error = frame::EncodeResponse(ErrorResponse(frame.status()));
    if (!error.ok()) return error.status();
    return frame::WriteAll(fd, *error);
  }
  return frame::WriteAll(fd, *frame);
}

}  // namespace

Status ServeConnection(int fd, Enclave& enclave, const LogFn& log) {
  for (;;) {
    auto body = frame::ReadBody(fd);
    if (!body.ok()) {
      if (body.status().reason() == "connection_closed") return Status::Ok();
      if (body.status().code() == ledger::Code::kInvalidArgument) {
        // A bad length prefix: answer, then drop the out-of-step stream.
        log("refused frame: " + body.status().ToString());
        (void)Send(fd, ErrorResponse(body.status()));
      }
      return body.status();
    }
    auto request = frame::DecodeRequestBody(*body);
    pb::NotaryResponse response;
    if (!request.ok()) {
      log("refused frame: " + request.status().ToString());
      response = ErrorResponse(request.status());
    } else {
      response = enclave.Handle(*request);
      if (response.has_error()) {
        log("refused request: " + response.error().code() + "/" + response.error().reason() +
            ": " + response.error().message());
      }
    }
    RETURN_IF_ERROR(Send(fd, response));
  }
}

Status Serve(Platform& platform, Enclave& enclave, const LogFn& log) {
  for (;;) {
    ASSIGN_OR_RETURN(int fd, platform.AcceptHost());
    log("host connected");
    Status s = ServeConnection(fd, enclave, log);
    ::close(fd);
    log(s.ok() ? std::string("host disconnected") : "host connection ended: " + s.ToString());
  }
}

}  // namespace notary
