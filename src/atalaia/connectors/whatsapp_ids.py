"""WhatsApp ids (JIDs) as linked-device gateways write them, turned into archive keys.

Pure functions, no I/O. The forms seen in Evolution API (Baileys), WAHA and whatsmeow bodies:
- `<digits>@s.whatsapp.net` and `<digits>@c.us` (WAHA, whatsapp-web.js): a phone user, keyed
  `wa:<digits>` like the Cloud API's `wa_id`, so one person is one contact whatever the provider.
- `<digits>@lid`: a privacy id that is *not* a phone number. Keyed `lid:<digits>` unless an Alt
  field (`remoteJidAlt`, `participantAlt`) gives the phone JID: then `wa:<digits>` with the LID
  kept as an attribute. LIDs and phones are merged only through those Alt fields, never guessed.
- `<id>@g.us`: a group, conversation key `group:<jid>`.
- `status@broadcast` (stories) and `<id>@newsletter` (channels) are not conversations of the
  line: skipped with a problem, the journal keeps them. Other `@broadcast` ids are broadcast lists.
A device suffix (`:12`) or agent (`.0`, `_1`) on a user id names a device, not another person, and
is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from atalaia.domain.enums import ConversationKind
from atalaia.domain.events import ContactRef, ConversationRef

MAX_JID_CHARS: Final = 200  # real JIDs are < 60 characters; anything longer is not one


class JidKind(StrEnum):
    USER = "user"
    LID = "lid"
    GROUP = "group"
    BROADCAST = "broadcast"  # a broadcast list
    STATUS = "status"  # status@broadcast: stories
    NEWSLETTER = "newsletter"  # channels
    UNKNOWN = "unknown"


SERVERS: Final = {
    "s.whatsapp.net": JidKind.USER,
    "c.us": JidKind.USER,
    "hosted": JidKind.USER,  # Baileys 7: a Cloud-API-hosted business account
    "lid": JidKind.LID,
    "hosted.lid": JidKind.LID,
    "g.us": JidKind.GROUP,
    "broadcast": JidKind.BROADCAST,
    "newsletter": JidKind.NEWSLETTER,
}
SKIPPED: Final = {
    JidKind.STATUS: "a status (story) update",
    JidKind.NEWSLETTER: "a channel (newsletter) post",
}


@dataclass(frozen=True, slots=True)
class Jid:
    raw: str  # normalised: `<user>@<server>` without device or agent
    user: str
    server: str
    kind: JidKind

    @property
    def digits(self) -> str | None:
        return self.user if self.user.isdigit() else None


def parse_jid(value: Any) -> Jid | None:
    """A JID from any JSON value; None for anything that is not `user@server`."""
    if not isinstance(value, str) or "@" not in value or len(value) > MAX_JID_CHARS:
        return None
    user, _, server = value.strip().rpartition("@")
    server = server.lower()
    if not user or not server:
        return None
    kind = SERVERS.get(server, JidKind.UNKNOWN)
    if kind is JidKind.BROADCAST and user == "status":
        kind = JidKind.STATUS
    if kind in (JidKind.USER, JidKind.LID):
        # `5511999990000:12` (device), `5511999990000.0:12` / `123_1` (agent): the same person.
        user = user.split(":", 1)[0].split(".", 1)[0].split("_", 1)[0]
        if not user:
            return None
    return Jid(raw=f"{user}@{server}", user=user, server=server, kind=kind)


def skip_reason(jid: Jid) -> str | None:
    """Why a chat id is not archived as a conversation of the line, or None."""
    return SKIPPED.get(jid.kind)


def same_user(a: Jid | None, b: Jid | None) -> bool:
    return a is not None and b is not None and a.kind == b.kind and a.user == b.user


def contact_for(jid: Jid | None, *, alt: Jid | None = None, name: str | None = None) -> ContactRef | None:
    """The contact a user or LID JID names; the phone JID wins as key when either side has one.

    `alt` is the other form of the same person (`remoteJidAlt` / `participantAlt`): a phone JID
    for a LID, or a LID for a phone JID (Baileys 7 `addressingMode: "pn"`).
    """
    if jid is None or jid.kind not in (JidKind.USER, JidKind.LID, JidKind.UNKNOWN):
        return None
    phone_jid = next((j for j in (jid, alt) if j is not None and j.kind is JidKind.USER and j.digits), None)
    lid_jid = next((j for j in (jid, alt) if j is not None and j.kind is JidKind.LID), None)
    lid = lid_jid.raw if lid_jid else None
    if phone_jid is not None and phone_jid.digits:
        digits = phone_jid.digits
        return ContactRef(key=f"wa:{digits}", wa_id=digits, phone=f"+{digits}", name=name, lid=lid)
    if lid_jid is not None:
        return ContactRef(key=f"lid:{lid_jid.user}", name=name, lid=lid)
    # A user JID whose user part is not digits, or a server we do not know: keep it, keyed as is.
    return ContactRef(key=f"jid:{jid.raw}", name=name)


def group_key(jid: Jid) -> str:
    return f"group:{jid.raw}"


def conversation_for(
    chat: Jid | None, *, alt: Jid | None = None, name: str | None = None, subject: str | None = None
) -> ConversationRef | None:
    """The conversation a chat JID names on the line; None for skipped or unusable ids.

    One-to-one chats are keyed by the contact key (as the Cloud API connector does), groups and
    broadcast lists by their JID.
    """
    if chat is None or skip_reason(chat) is not None:
        return None
    if chat.kind is JidKind.GROUP:
        return ConversationRef(key=group_key(chat), kind=ConversationKind.GROUP, subject=subject)
    if chat.kind is JidKind.BROADCAST:
        # A list the employee broadcast to: one conversation per list, like a group they wrote to.
        return ConversationRef(key=f"broadcast:{chat.raw}", kind=ConversationKind.GROUP, subject=subject)
    contact = contact_for(chat, alt=alt, name=name)
    if contact is None:
        return None
    return ConversationRef(key=contact.key, kind=ConversationKind.DIRECT, contact=contact)
