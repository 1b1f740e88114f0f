"""One module per `ccaas` subcommand, discovered by `scripts.cli`."""
