// kaart: the command-line client of kaartnet.
//
//   kaart search "ips psychose" --area kerkrade --accepting
//   kaart publish entry.json
//   kaart get ggz-zuid-limburg/ips-heerlen
//
// `kaart --help` and `kaart <command> --help` list everything.
#include <signal.h>

#include <iostream>

#include "CLI/CLI.hpp"
#include "clients/kaart/client.h"
#include "clients/kaart/commands.h"

int main(int argc, char** argv) {
  using namespace kaartnet::cli;
  signal(SIGPIPE, SIG_IGN);
  GlobalOptions options;
  ApplyEnvironment(&options);
  CLI::App app{
      "kaart: zoek en beheer het aanbod op de sociale kaart (kaartnet).\n"
      "Environment: KAARTNET_NODE (host:port), KAARTNET_TOKEN (bearer token),\n"
      "KAARTNET_CA_CERT (region CA, for TLS); without a token, commands use\n"
      "KAARTNET_TOKEN_READER, _ADMIN, _REGION or _PUBLISHER_<ORG> as they\n"
      "need (`source var/demo/tokens.env` sets them for the demo)."};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--node", options.node,
                 "Node gRPC address (default 127.0.0.1:7401)");
  app.add_option("--token", options.token,
                 "Bearer token (default $KAARTNET_TOKEN)");
  app.add_option("--ca-cert", options.ca_cert,
                 "CA certificate of the region: talk TLS to the node "
                 "(default $KAARTNET_CA_CERT)");
  app.add_flag("--json", options.json, "Print proto JSON instead of tables");
  app.add_option("--timeout", options.timeout_seconds,
                 "Seconds per call (default 30)");
  int exit_code = 0;
  AddDirectoryCommands(app, options, &exit_code);
  AddAdminCommands(app, options, &exit_code);
  AddInteropCommands(app, options, &exit_code);
  AddSecurityCommands(*app.get_subcommand("admin"), options, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
