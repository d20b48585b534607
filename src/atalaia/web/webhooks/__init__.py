"""Provider webhooks: read the body within limits, hand it to the ingest service, answer."""
