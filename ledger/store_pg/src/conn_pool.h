// A small pool of reader connections: Get and Scan borrow one for a
// statement and give it back, dropping it if libpq says it broke.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/base/status.h"
#include "pg_conn.h"

namespace ledger::store::pg {

class ConnPool {
 public:
  // `setup` runs on every new connection (e.g. read-only defaults).
  ConnPool(std::string conninfo, int timeout_s, size_t max, std::string setup);

  class Lease {
   public:
    Lease(ConnPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    PgConn& operator*() { return *conn_; }
    PgConn* operator->() { return conn_.get(); }

   private:
    ConnPool* pool_;
    std::unique_ptr<PgConn> conn_;
  };

  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<PgConn> conn);

  const std::string conninfo_;
  const int timeout_s_;
  const size_t max_;
  const std::string setup_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  size_t open_ = 0;
};

}  // namespace ledger::store::pg
