"""Every table; importing this package registers them all on `Base.metadata`."""

from atalaia.db.models.analytics import MessageRollup
from atalaia.db.models.base import Base
from atalaia.db.models.case_files import CaseEvidence, EmployeeNoticeTemplate
from atalaia.db.models.compliance import Alert, AlertHit, CaseEvent, Notification, NotificationChannel, PolicyVersion
from atalaia.db.models.corrections import ContactCorrection
from atalaia.db.models.export_jobs import ExportJob
from atalaia.db.models.governance import Erasure, LegalHold, Purge, RetentionRule, SubjectRequest, Tombstone
from atalaia.db.models.jobs import Job
from atalaia.db.models.line_connections import LineConnection
from atalaia.db.models.lines import CaptureGap, Contact, Conversation, Line, LineAssignment, Participant
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
from atalaia.db.models.onboarding import Acceptance, Invitation, UsageRuleVersion
from atalaia.db.models.records import AuditEntry, ChainHead, ChainLink, Checkpoint, JournalEntry
from atalaia.db.models.step_ins import StepIn
from atalaia.db.models.tenancy import (
    ApiToken,
    Employee,
    LoginSession,
    ManagedTeam,
    RecoveryCode,
    Team,
    Tenant,
    TotpCredential,
    User,
)
from atalaia.db.models.weekly_reports import WeeklyReport

__all__ = [
    "Acceptance",
    "Alert",
    "AlertHit",
    "ApiToken",
    "Attachment",
    "AttachmentText",
    "AuditEntry",
    "Base",
    "CaptureGap",
    "CaseEvent",
    "CaseEvidence",
    "ChainHead",
    "ChainLink",
    "Checkpoint",
    "Contact",
    "ContactCorrection",
    "Conversation",
    "DeliveryStatusRecord",
    "Employee",
    "EmployeeNoticeTemplate",
    "Erasure",
    "ExportJob",
    "Invitation",
    "Job",
    "JournalEntry",
    "LegalHold",
    "Line",
    "LineAssignment",
    "LineConnection",
    "LoginSession",
    "ManagedTeam",
    "Message",
    "MessageRollup",
    "Notice",
    "Notification",
    "NotificationChannel",
    "Participant",
    "PolicyVersion",
    "Purge",
    "Reaction",
    "RecoveryCode",
    "RetentionRule",
    "Revision",
    "Revocation",
    "StepIn",
    "SubjectRequest",
    "Team",
    "Tenant",
    "Tombstone",
    "TotpCredential",
    "UsageRuleVersion",
    "User",
    "WeeklyReport",
]
