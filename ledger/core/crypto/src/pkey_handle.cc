#include "ledger/crypto/pkey_handle.h"

#include <openssl/evp.h>

namespace ledger {

void PkeyHandle::Free() {
  EVP_PKEY_free(static_cast<EVP_PKEY*>(pkey_));
  pkey_ = nullptr;
}

}  // namespace ledger
