"""``rl4real`` subcommands provided by the agents package (train, evaluate, compile, export)."""
