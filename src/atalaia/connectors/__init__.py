"""Connectors: each turns one provider's input into normalised domain events, with no storage."""
