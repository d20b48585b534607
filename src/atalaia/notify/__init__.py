"""Alert notifications: one module per channel behind the `Notifier` protocol; no database here.

`services/compliance/notifications.py` decides who gets what and records every delivery; the
channels only render and send one `AlertNotice` to one `Recipient`, raising `DeliveryError`
with its retry policy.
"""

from atalaia.notify.base import AlertNotice, DeliveryError, Notifier, Recipient

__all__ = ["AlertNotice", "DeliveryError", "Notifier", "Recipient"]
