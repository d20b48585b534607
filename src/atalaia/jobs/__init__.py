"""Durable background jobs: enqueue in the caller's transaction, claim atomically, retry with back-off."""

from atalaia.jobs.queue import JobFailed, claim_next, enqueue, finish, retry_or_fail

__all__ = ["JobFailed", "claim_next", "enqueue", "finish", "retry_or_fail"]
