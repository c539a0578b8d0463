"""One module per group of CLI commands; each exposes run_<command>(args, settings) -> int."""
