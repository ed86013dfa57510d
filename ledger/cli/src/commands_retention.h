// Retention and legal-hold commands (commands_retention.cc). A refused
// request is recorded (as a DENIED entry) and returned as the refusal.
#pragma once

#include "commands.h"

namespace ledger::cli {

Status CmdRetentionClass(const Args& a, const Output& o);
Status CmdRetentionExtend(const Args& a, const Output& o);
Status CmdHoldPlace(const Args& a, const Output& o);
Status CmdHoldRelease(const Args& a, const Output& o);
Status CmdDispose(const Args& a, const Output& o);

}  // namespace ledger::cli
