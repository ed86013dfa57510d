#include <iostream>

#include "ledger/cli/ledgerctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return ledger::cli::RunLedgerctl(args, std::cin, std::cout, std::cerr);
}
