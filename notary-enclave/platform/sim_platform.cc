// The simulated platform (see sim_platform.h).
#include "platform/sim_platform.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ledger/attestation/attestation.h"
#include "ledger/attestation_dev/sign_attestation.h"

namespace notary {

using ledger::Bytes;
using ledger::ByteView;
using ledger::Result;
using ledger::Status;

namespace {

Status IoError(const std::string& what) {
  return Status::Unavailable("io_error", what + ": " + std::strerror(errno));
}

Result<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("open " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Result<Bytes> SimPlatform::Sha384File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("open " + path);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha384(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    return Status::Internal("openssl_failed", "SHA-384 init");
  }
  char buf[1 << 16];
  bool ok = true;
  while (ok && in) {
    in.read(buf, sizeof buf);
    ok = EVP_DigestUpdate(ctx, buf, static_cast<size_t>(in.gcount())) == 1;
  }
  Bytes digest(kPcrSize);
  unsigned int len = 0;
  ok = ok && in.eof() && EVP_DigestFinal_ex(ctx, digest.data(), &len) == 1 && len == kPcrSize;
  EVP_MD_CTX_free(ctx);
  if (!ok) return Status::Unavailable("io_error", "hashing " + path + " failed");
  return digest;
}

Result<std::unique_ptr<SimPlatform>> SimPlatform::Create(const std::string& socket_path,
                                                         const std::string& pki_dir) {
  ledger::DevPkiPem pem;
  ASSIGN_OR_RETURN(pem.root, ReadText(pki_dir + "/" + ledger::kDevPkiRootFile));
  ASSIGN_OR_RETURN(pem.intermediate, ReadText(pki_dir + "/" + ledger::kDevPkiIntermediateFile));
  ASSIGN_OR_RETURN(pem.leaf, ReadText(pki_dir + "/" + ledger::kDevPkiLeafFile));
  ASSIGN_OR_RETURN(pem.leaf_key, ReadText(pki_dir + "/" + ledger::kDevPkiLeafKeyFile));
  auto pki = ledger::DevPkiFromPem(pem);
  OPENSSL_cleanse(pem.leaf_key.data(), pem.leaf_key.size());
  if (!pki.ok()) return pki.status();
  ASSIGN_OR_RETURN(Bytes pcr0, Sha384File("/proc/self/exe"));

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path) {
    return Status::InvalidArgument("bad_socket_path", "socket path empty or too long");
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  std::unique_ptr<SimPlatform> p(new SimPlatform(std::move(pki).value(), std::move(pcr0)));
  p->listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (p->listen_fd_ < 0) return IoError("socket");
  ::unlink(socket_path.c_str());  // a stale socket from a killed notary
  if (::bind(p->listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return IoError("bind " + socket_path);
  }
  // Backlog 1: the notary serves one host connection at a time.
  if (::listen(p->listen_fd_, 1) != 0) return IoError("listen");
  p->socket_path_ = socket_path;
  return p;
}

std::unique_ptr<SimPlatform> SimPlatform::InProcess(ledger::DevPki pki, Bytes pcr0) {
  return std::unique_ptr<SimPlatform>(new SimPlatform(std::move(pki), std::move(pcr0)));
}

SimPlatform::~SimPlatform() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

Result<Bytes> SimPlatform::GetRandom(size_t n) {
  Bytes out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return Status::Internal("openssl_failed", "RAND_bytes");
  }
  return out;
}

Result<Bytes> SimPlatform::DescribePcr(uint16_t index) {
  if (index == 0) return pcr0_;
  if (index < 16) return Bytes(kPcrSize, 0);  // unused PCRs read as zero, as on Nitro
  return Status::InvalidArgument("bad_pcr_index", "PCR " + std::to_string(index));
}

// A document shaped like the Nitro hypervisor's (attestation.md), signed
// with the dev PKI's leaf key.
Result<Bytes> SimPlatform::Attest(ByteView public_key, ByteView user_data, ByteView nonce) {
  ledger::AttestationDocument doc;
  doc.module_id = "sim-notary-enclave";
  doc.digest = "SHA384";
  auto now = std::chrono::system_clock::now().time_since_epoch();
  doc.timestamp_ms =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  for (uint16_t i = 0; i < 16; ++i) {
    ASSIGN_OR_RETURN(doc.pcrs[i], DescribePcr(i));
  }
  doc.certificate = pki_.leaf_der;
  doc.cabundle = {pki_.root_der, pki_.intermediate_der};
  doc.public_key.assign(public_key.begin(), public_key.end());
  doc.user_data.assign(user_data.begin(), user_data.end());
  doc.nonce.assign(nonce.begin(), nonce.end());
  return ledger::SignAttestation(doc, pki_.leaf_key);
}

Result<int> SimPlatform::AcceptHost() {
  if (listen_fd_ < 0) return Status::FailedPrecondition("no_socket", "in-process platform");
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) return fd;
    if (errno != EINTR && errno != ECONNABORTED) return IoError("accept");
  }
}

}  // namespace notary
