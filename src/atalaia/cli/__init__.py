"""The `atalaia` command line: thin Typer commands over the services."""
