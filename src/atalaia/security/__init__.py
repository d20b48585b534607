"""Keys, passwords and tokens."""
