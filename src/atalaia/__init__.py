"""Atalaia: WhatsApp archiving, compliance and analytics for companies."""

__version__ = "0.1.0"
