"""Use cases: the only place a transaction's work is decided. Web and CLI call these."""
