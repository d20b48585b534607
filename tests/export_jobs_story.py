"""People and data for the export-job tests: the export story's archive, a second team, five personas.

- ana: compliance officer (the DPO), sees the whole tenant, serves data subjects.
- bruno: manager of team Vendas (the story's line, Maria's chat and the group).
- carla: manager of team Suporte (one chat with Paulo); must get nothing of Vendas.
- davi: auditor, reads and downloads everything, every read audited.
- rui: administrator.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select

from atalaia.archive import archive_events
from atalaia.db.engine import transaction
from atalaia.db.models import AuditEntry, ExportJob, Message
from atalaia.domain.events import ContactRef
from atalaia.services.access import Principal, principal_for
from atalaia.services.lines import add_line
from atalaia.services.people import create_user
from tests.conftest import ArchiveSetup
from tests.export_story import add_case, archive_story, conversation_of
from tests.factories import inbound

PASSWORD: Final = "senha-muito-segura-123"
PAULO: Final = ContactRef(key="wa:5511966665555", wa_id="5511966665555", phone="+5511966665555", name="Paulo Suporte")
PERSONAS: Final = {
    "ana": ("compliance", None),
    "bruno": ("manager", ["Vendas"]),
    "carla": ("manager", ["Suporte"]),
    "davi": ("auditor", None),
    "rui": ("admin", None),
}


@dataclass(frozen=True)
class Story:
    setup: ArchiveSetup
    ids: dict[str, int]  # provider message id -> message id
    maria_chat: int  # conversation id, Vendas
    paulo_chat: int  # conversation id, Suporte
    case: int  # an alert on Maria's chat
    user_ids: dict[str, int]

    def principal(self, name: str) -> Principal:
        with self.setup.runtime.sessions() as session:
            from atalaia.db.models import User

            return principal_for(session, session.get_one(User, self.user_ids[name]))

    def job(self, job_id: int) -> ExportJob:
        with self.setup.runtime.sessions() as session:
            return session.get_one(ExportJob, job_id)

    def audit(self, action: str) -> list[AuditEntry]:
        with self.setup.runtime.sessions() as session:
            return list(
                session.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))
                .scalars()
                .all()
            )


def build_story(setup: ArchiveSetup) -> Story:
    runtime, tenant = setup.runtime, setup.tenant
    ids = archive_story(setup)
    user_ids = {}
    with transaction(runtime.sessions) as session:
        suporte = add_line(session, tenant_id=tenant.id, number="+5511977770000", provider="cloud",
                           phone_number_id="222", team="Suporte").line  # fmt: skip
        for name, (role, teams) in PERSONAS.items():
            user = create_user(session, tenant_id=tenant.id, email=f"{name}@exemplo.com.br", role=role, teams=teams,
                               password=PASSWORD).user  # fmt: skip
            user_ids[name] = user.id
    with transaction(runtime.sessions) as session:
        archive_events(session, runtime.archive_context(tenant, line_id=suporte.id),
                       [inbound("p1", "Meu boleto venceu", contact=PAULO)])  # fmt: skip
    with runtime.sessions() as session:
        paulo = session.execute(select(Message.conversation_id).where(Message.provider_message_id == "p1")).scalar_one()
    maria_chat = conversation_of(setup, ids["m1"])
    return Story(setup, ids, maria_chat, paulo, add_case(setup, maria_chat), user_ids)


def unzip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def manifest_problems(archive: zipfile.ZipFile) -> list[str]:
    """Every file the manifest names is in the ZIP with that SHA-256 and size, and nothing else is."""
    manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    listed = {entry["path"]: entry for entry in manifest["files"]}
    present = set(archive.namelist()) - {"manifest.json"}
    problems = [f"not listed: {name}" for name in sorted(present - set(listed))]
    problems += [f"missing: {name}" for name in sorted(set(listed) - present)]
    for name in sorted(present & set(listed)):
        data = archive.read(name)
        if (hashlib.sha256(data).hexdigest(), len(data)) != (listed[name]["sha256"], listed[name]["size"]):
            problems.append(f"hash mismatch: {name}")
    return problems
