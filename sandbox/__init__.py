"""A provider sandbox for the demo: a fake Graph API and a fake Evolution API v2 on 127.0.0.1.

Not part of the shipped package (docs/decisions/0021): it lives in the repository, is started by
`make sandbox`, and exists so that a new user can connect a line, watch the notice go out and see
a disconnection raise an alert without a Meta account or a real phone. Never expose it.
"""
