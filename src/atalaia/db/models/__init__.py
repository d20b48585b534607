"""Every table; importing this package registers them all on `Base.metadata`."""

from atalaia.db.models.base import Base
from atalaia.db.models.compliance import Alert, AlertHit, CaseEvent, Notification, NotificationChannel, PolicyVersion
from atalaia.db.models.jobs import Job
from atalaia.db.models.lines import Contact, Conversation, Line, LineAssignment, Participant
from atalaia.db.models.messages import (
    Attachment,
    AttachmentText,
    DeliveryStatusRecord,
    Message,
    Reaction,
    Revision,
    Revocation,
)
from atalaia.db.models.notices import Notice
from atalaia.db.models.records import AuditEntry, ChainHead, ChainLink, Checkpoint, JournalEntry
from atalaia.db.models.tenancy import ApiToken, Employee, LoginSession, ManagedTeam, Team, Tenant, User

__all__ = [
    "Alert",
    "AlertHit",
    "ApiToken",
    "Attachment",
    "AttachmentText",
    "AuditEntry",
    "Base",
    "CaseEvent",
    "ChainHead",
    "ChainLink",
    "Checkpoint",
    "Contact",
    "Conversation",
    "DeliveryStatusRecord",
    "Employee",
    "Job",
    "JournalEntry",
    "Line",
    "LineAssignment",
    "LoginSession",
    "ManagedTeam",
    "Message",
    "Notice",
    "Notification",
    "NotificationChannel",
    "Participant",
    "PolicyVersion",
    "Reaction",
    "Revision",
    "Revocation",
    "Team",
    "Tenant",
    "User",
]
