"""One module per ``pbcfg`` subcommand; see ``COMMANDS`` in :mod:`pbcfg.cli`."""
