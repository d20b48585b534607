"""Every table; importing this package registers them all on `Base.metadata`."""

from atalaia.db.models.base import Base
from atalaia.db.models.jobs import Job
from atalaia.db.models.lines import Contact, Conversation, Line, Participant
from atalaia.db.models.messages import (
    Attachment,
    DeliveryStatusRecord,
    Message,
    Reaction,
    Revision,
    Revocation,
)
from atalaia.db.models.records import AuditEntry, ChainHead, ChainLink, Checkpoint, JournalEntry
from atalaia.db.models.tenancy import ApiToken, Employee, LoginSession, ManagedTeam, Team, Tenant, User

__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "Base",
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
    "LoginSession",
    "ManagedTeam",
    "Message",
    "Participant",
    "Reaction",
    "Revision",
    "Revocation",
    "Team",
    "Tenant",
    "User",
]
