"""REST API under /api/v1, bearer tokens, JSON bodies described by /openapi.json."""
