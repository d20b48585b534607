"""WhatsApp Business Platform (Cloud API) webhooks, including Coexistence numbers."""

from atalaia.connectors.cloud_api.parse import CloudChange, parse_notification
from atalaia.connectors.cloud_api.signature import signature_valid

__all__ = ["CloudChange", "parse_notification", "signature_valid"]
