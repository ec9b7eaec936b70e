// The subcommands of `kaart`. Each Add*Commands registers its subcommands on
// the app; the callback of the chosen one runs and stores its exit code.
#ifndef KAARTNET_CLIENTS_KAART_COMMANDS_H_
#define KAARTNET_CLIENTS_KAART_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "clients/kaart/client.h"

namespace kaartnet::cli {

// publish, get, withdraw, search, watch
void AddDirectoryCommands(CLI::App& app, GlobalOptions& options,
                          int* exit_code);
// orgs, status, keygen, admin ..., demo-data
void AddAdminCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
// export, import (spreadsheet and HSDS)
void AddInteropCommands(CLI::App& app, GlobalOptions& options, int* exit_code);
// admin tokens ..., admin audit verify (on the `admin` subcommand)
void AddSecurityCommands(CLI::App& admin, GlobalOptions& options,
                         int* exit_code);

}  // namespace kaartnet::cli

#endif  // KAARTNET_CLIENTS_KAART_COMMANDS_H_
