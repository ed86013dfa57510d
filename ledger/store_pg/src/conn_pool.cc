#include "conn_pool.h"

namespace ledger::store::pg {

ConnPool::ConnPool(std::string conninfo, int timeout_s, size_t max, std::string setup)
    : conninfo_(std::move(conninfo)), timeout_s_(timeout_s), max_(max == 0 ? 1 : max),
      setup_(std::move(setup)) {}

Result<ConnPool::Lease> ConnPool::Acquire() {
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;
  }
  auto conn = PgConn::Connect(conninfo_, timeout_s_);
  Status setup = conn.ok() && !setup_.empty() ? (*conn)->Exec(setup_).status() : conn.status();
  if (!setup.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    --open_;
    cv_.notify_one();
    return setup;
  }
  return Lease(this, std::move(conn).value());
}

void ConnPool::Release(std::unique_ptr<PgConn> conn) {
  std::lock_guard<std::mutex> l(mu_);
  if (conn->ok() && PQtransactionStatus(conn->raw()) == PQTRANS_IDLE) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

}  // namespace ledger::store::pg
