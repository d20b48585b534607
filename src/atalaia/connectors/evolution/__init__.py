"""Evolution API v2 (Baileys) webhooks: a linked device mirroring the employee's WhatsApp app."""

from atalaia.connectors.evolution.content import DEFAULT_MAX_MEDIA_BYTES
from atalaia.connectors.evolution.parse import evidence, parse_envelope

__all__ = ["DEFAULT_MAX_MEDIA_BYTES", "evidence", "parse_envelope"]
