"""WAHA (WhatsApp HTTP API) webhooks: a linked device on WEBJS, NOWEB or GOWS engines."""

from atalaia.connectors.waha.parse import message_id, parse_webhook

__all__ = ["message_id", "parse_webhook"]
