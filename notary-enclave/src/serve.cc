// The serving loop (see notary/serve.h).
#include "notary/serve.h"

#include <cstdio>
#include <new>
#include <string>
#include <unistd.h>

#include "ledger/note/checkpoint.h"
#include "notary/frame.h"
#include "notary/verify_pool.h"

namespace notary {

using ledger::Result;
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

constexpr char kOutOfMemory[] = "out_of_memory";

Status OutOfMemory(std::string message) { return Status::Unavailable(kOutOfMemory, std::move(message)); }

// frame::ReadBody; an allocation failure for the body is an error too.
Result<ledger::Bytes> ReadFrameBody(int fd) {
  try {
    return frame::ReadBody(fd);
  } catch (const std::bad_alloc&) {
    return OutOfMemory("no memory for a frame of that length");
  }
}

// Parses and handles one request body. An allocation failure anywhere in it
// (a request too large for the memory the enclave was given) answers this
// request with an error instead of aborting the notary, which would force a
// restart and re-provisioning. The body is released once parsed, and the
// parsed request before the answer is encoded: README "Memory".
pb::NotaryResponse Answer(ledger::Bytes body, Enclave& enclave, const LogFn& log) {
  try {
    auto request = frame::DecodeRequestBody(body);
    ledger::Bytes().swap(body);
    if (!request.ok()) {
      log("refused frame: " + request.status().ToString());
      return ErrorResponse(request.status());
    }
    pb::NotaryResponse response = enclave.Handle(*request);
    if (response.has_error()) {
      log("refused request: " + response.error().code() + "/" + response.error().reason() +
          ": " + response.error().message());
    }
    return response;
  } catch (const std::bad_alloc&) {
    Status s = OutOfMemory("the request needs more memory than the notary has");
    log("refused request: " + s.ToString());
    return ErrorResponse(s);
  }
}

}  // namespace

Status ServeConnection(int fd, Enclave& enclave, const LogFn& log) {
  for (;;) {
    auto body = ReadFrameBody(fd);
    if (!body.ok()) {
      if (body.status().reason() == "connection_closed") return Status::Ok();
      if (body.status().code() == ledger::Code::kInvalidArgument ||
          body.status().reason() == kOutOfMemory) {
        // A bad length prefix, or a body we could not hold: answer, then
        // drop the out-of-step stream.
        log("refused frame: " + body.status().ToString());
        (void)Send(fd, ErrorResponse(body.status()));
      }
      return body.status();
    }
    Status sent;
    try {
      sent = Send(fd, Answer(std::move(body).value(), enclave, log));
    } catch (const std::bad_alloc&) {
      sent = Send(fd, ErrorResponse(OutOfMemory("no memory to encode the answer")));
    }
    RETURN_IF_ERROR(sent);
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

int BootAndServe(Platform& platform, const LogFn& log, size_t verify_threads) {
  VerifyPool pool(verify_threads);
  EnclaveOptions options;
  options.sequencer.parallel_for = [&pool](size_t n, const std::function<void(size_t)>& body) {
    pool.ParallelFor(n, body);
  };
  log("verifying stamps on " + std::to_string(pool.threads()) + " thread(s)");
  auto enclave = Enclave::Boot(platform, std::move(options));
  if (!enclave.ok()) return log("boot: " + enclave.status().ToString()), 1;
  log("booted on " + std::string(platform.name()) + ", ephemeral key " +
      (*enclave)->ephemeral_public_key().Hex());
  Status s = Serve(platform, **enclave, log);
  log("stopped: " + s.ToString());
  return 1;
}

size_t ParseVerifyThreads(std::string_view value) {
  auto n = ledger::ParseDecimalU64(value);
  return n.ok() && *n >= 1 && *n <= 256 ? static_cast<size_t>(*n) : 0;
}

void LogToStderr(std::string_view line) {
  std::fprintf(stderr, "notary-enclave: %.*s\n", static_cast<int>(line.size()), line.data());
}

}  // namespace notary
