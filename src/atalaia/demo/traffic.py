"""One line's traffic as a lazy, chronological stream of archive events.

Per line, day by day:
1. split the day's message quota into conversations, each a script from `phrases` with some
   steps dropped, personal data, negotiation or fillers spliced in, and the last one cut to fit;
2. give each conversation a start drawn from the hour profile of `timeline`, in order;
3. turn it into `MessageEvent`s with realistic gaps, then schedule what follows each message
   (statuses, edits, deletions, reactions) at later moments;
4. keep everything not yet due in one heap shared by all lines, and release what is due
   before the next conversation (of any line) starts.

The heap holds only conversations still in flight, so memory does not grow with the total.
"""

from __future__ import annotations

import base64
import heapq
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Final
from zoneinfo import ZoneInfo

from atalaia.demo import phrases, timeline
from atalaia.demo.attachments import attachment
from atalaia.demo.followups import Followups, Sent
from atalaia.demo.ids import IdMint
from atalaia.demo.plan import ContactRole, DemoContact, DemoGroup, DemoLine, DemoPlan
from atalaia.demo.scripts import Scenario, Step, parse_step
from atalaia.demo.values import SessionValues
from atalaia.domain.enums import Direction, MessageKind, Provider
from atalaia.domain.events import ArchiveEvent, AttachmentRef, EditEvent, MessageEvent

Timed = tuple[int, int, int, ArchiveEvent]  # (unix seconds, line index, sequence, event): sorts uniquely
Library = tuple[tuple[Scenario, ...], tuple[float, ...]]

_FILLER_IN: Final = tuple(parse_step(f"c {t}") for t in phrases.FILLER_IN)
_FILLER_OUT: Final = tuple(parse_step(f"e {t}") for t in phrases.FILLER_OUT)
_PII_IN: Final = tuple(parse_step(f"c {t}") for t in phrases.PII_IN)
_PII_OUT: Final = tuple(parse_step(f"e {t}") for t in phrases.PII_OUT)
_PII_OUT_DELETED: Final = tuple(parse_step(f"e! {t}") for t in phrases.PII_OUT)  # sent, then regretted
_NEGOTIATION: Final = tuple(parse_step(f"c {t}") for t in phrases.NEGOTIATION_IN)
# Shares of a line's conversations (the rest are with its customers or suppliers).
GROUP_SHARE: Final = 0.10  # only lines that are in groups
COLLEAGUE_SHARE: Final = 0.03
PERSONAL_SHARE: Final = 0.02
CONDUCT_SHARE: Final = 0.01  # of conversations with outsiders
AD_SHARE: Final = 0.45  # of first conversations a customer opens with a Cloud API sales line
EDIT_SHARE: Final = 0.012  # of text messages


def _library(table: tuple[Scenario, ...]) -> Library:
    return table, tuple(accumulate(s.weight for s in table))


_LIBRARIES: Final = {
    "Vendas": _library(phrases.SALES),
    "Suporte": _library(phrases.SUPPORT),
    "Financeiro": _library(phrases.BILLING),
    "supplier": _library(phrases.SUPPLIER),
    "colleague": _library(phrases.COLLEAGUE),
    "personal": _library(phrases.PERSONAL),
    "team_group": _library(phrases.TEAM_GROUP),
    "supplier_group": _library(phrases.SUPPLIER_GROUP),
    "project_group": _library(phrases.PROJECT_GROUP),
    "conduct_customer": _library(phrases.CONDUCT_CUSTOMER),
    "conduct_supplier": _library(phrases.CONDUCT_SUPPLIER),
}


@dataclass(frozen=True, slots=True)
class _Session:
    """A conversation decided before its start time is known."""

    steps: tuple[Step, ...]
    contact: DemoContact | None  # one-to-one chats
    group: DemoGroup | None
    may_open_from_ad: bool


def _group_library(group: DemoGroup) -> Library:
    if group.subject.startswith("Fornecedores"):
        return _LIBRARIES["supplier_group"]
    if group.subject.startswith("Projeto"):
        return _LIBRARIES["project_group"]
    return _LIBRARIES["team_group"]


def _typo(rng: random.Random, text: str) -> str | None:
    """`text` with two adjacent letters swapped, as a thumb does; None when there is no room."""
    for _ in range(3):
        i = rng.randrange(len(text) - 1)
        a, b = text[i], text[i + 1]
        if a != b and a.isalpha() and b.isalpha():
            return f"{text[:i]}{b}{a}{text[i + 2 :]}"
    return None


@dataclass(frozen=True, slots=True)
class _Day:
    date: date
    midnight: int  # unix time of local midnight


Planned = tuple[int, int, int, _Session, _Day]  # (start, line index, ordinal, session, day): sorts uniquely


class Traffic:
    """All events of `lines` as `Timed` tuples in (time, line, creation) order; iterate once.

    Conversations from every line are taken in order of their start; before one is played, the
    events due strictly before its start leave the shared heap. An event is therefore never
    yielded before one that sorts earlier, ties included.
    """

    def __init__(self, plan: DemoPlan, lines: list[tuple[DemoLine, int]], *, seed: int, first: date, days: int) -> None:
        self.heap: list[Timed] = []
        self.lines = {
            line.index: LineTraffic(plan, line, seed=seed, total=total, first=first, days=days, heap=self.heap)
            for line, total in lines
        }

    def __iter__(self) -> Iterator[Timed]:
        heap, lines = self.heap, self.lines
        for start, index, _n, session, day in heapq.merge(*(line.sessions() for line in lines.values())):
            while heap and heap[0][0] < start:
                yield heapq.heappop(heap)
            lines[index].emit(start, session, day)
        while heap:
            yield heapq.heappop(heap)


class LineTraffic:
    """One line: plans its conversations day by day, and plays them into the shared heap.

    Planning and playing draw from two random streams, so the line's events do not depend on
    how its planning interleaves with other lines' playing.
    """

    def __init__(
        self, plan: DemoPlan, line: DemoLine, *, seed: int, total: int, first: date, days: int, heap: list[Timed]
    ) -> None:
        self.plan, self.line, self.heap, self.index = plan, line, heap, line.index
        self.prng = random.Random(f"atalaia-demo-plan:{seed}:{line.index}")
        self.rng = rng = random.Random(f"atalaia-demo-events:{seed}:{line.index}")
        self.zone = ZoneInfo(line.timezone)
        self.mint = IdMint(provider=line.provider, rng=rng)
        self.out_style = 2 if line.provider is Provider.EVOLUTION else 0  # Android phone; API or web
        self.seq = 0
        self.followups = Followups(rng=rng, mint=self.mint, push=self.push, line=line)
        self.seen = bytearray(len(plan.contacts))  # customers this line has heard from
        self.dates = [first + timedelta(days=n) for n in range(days)]
        weights = [timeline.day_weight(d) * self.prng.uniform(0.85, 1.15) for d in self.dates]
        self.quotas = timeline.split_quota(total, weights)
        self.last_second = timeline.local_midnight(self.dates[-1] + timedelta(days=1), self.zone) - 1
        self.contact_cum = tuple(accumulate(1 / (rank + 3) ** 0.8 for rank in range(len(line.contacts))))
        self.groups = tuple((g, _group_library(g)) for g in line.groups)
        self.ad_line = line.team == "Vendas" and line.provider is Provider.CLOUD
        self.media_day: _Day | None = None
        self.media_count = 0

    def push(self, at: int, event: ArchiveEvent) -> None:
        heapq.heappush(self.heap, (at, self.index, self.seq, event))
        self.seq += 1

    def sessions(self) -> Iterator[Planned]:
        """The line's conversations in order of start; each day's quota of messages exactly."""
        rng, ordinal = self.prng, 0
        for day, quota in zip(self.dates, self.quotas, strict=True):
            if quota <= 0:
                continue
            today = _Day(day, timeline.local_midnight(day, self.zone))
            sessions, planned = [], 0
            while planned < quota:
                session = self._plan_session()
                if len(session.steps) > quota - planned:
                    cut = session.steps[: quota - planned]
                    session = _Session(cut, session.contact, session.group, session.may_open_from_ad)
                sessions.append(session)
                planned += len(session.steps)
            for offset, session in zip(timeline.start_seconds(rng, day, len(sessions)), sessions, strict=True):
                ordinal += 1
                yield today.midnight + offset, self.index, ordinal, session, today

    # -- planning ---------------------------------------------------------------------------

    def _plan_session(self) -> _Session:
        rng, line = self.prng, self.line
        roll = rng.random()
        if self.groups and roll < GROUP_SHARE:
            group, library = rng.choice(self.groups)
            steps = self._script(library)
            if library is _LIBRARIES["team_group"] and rng.random() < 0.03:  # a manager loses it
                steps.insert(0, phrases.HARASSMENT_GROUP)
            return _Session(tuple(steps), None, group, may_open_from_ad=False)
        roll -= GROUP_SHARE if self.groups else 0
        if roll < COLLEAGUE_SHARE and line.colleagues:
            return _Session(tuple(self._script(_LIBRARIES["colleague"])), rng.choice(line.colleagues), None, False)
        if roll < COLLEAGUE_SHARE + PERSONAL_SHARE and line.personal:
            steps = self._script(_LIBRARIES["personal"])
            if rng.random() < 0.05:  # the customer list leaves the company
                steps.append(phrases.EXFILTRATION)
            return _Session(tuple(steps), rng.choice(line.personal), None, False)
        contact = rng.choices(line.contacts, cum_weights=self.contact_cum)[0]
        supplier = contact.role is ContactRole.SUPPLIER
        if rng.random() < CONDUCT_SHARE:
            steps = self._script(_LIBRARIES["conduct_supplier" if supplier else "conduct_customer"])
        else:
            steps = self._script(_LIBRARIES["supplier" if supplier else line.team])
            self._splice(steps, customer=not supplier)
        may_open = self.ad_line and not supplier and steps[0].who == "c"
        return _Session(tuple(steps), contact, None, may_open)

    def _script(self, library: Library) -> list[Step]:
        rng = self.prng
        scenario = rng.choices(library[0], cum_weights=library[1])[0]
        steps = [s for s in scenario.steps if not (s.optional and rng.random() < 0.5)]
        return steps or [rng.choice(_FILLER_IN)]

    def _splice(self, steps: list[Step], *, customer: bool) -> None:
        """Add personal data, a negotiation cue or closing pleasantries to an outsider's chat."""
        rng = self.prng
        roll = rng.random()
        if roll < 0.045:
            steps.insert(rng.randint(1, len(steps)), rng.choice(_PII_IN))
        elif roll < 0.07:
            choices = _PII_OUT_DELETED if rng.random() < 0.3 else _PII_OUT
            steps.insert(rng.randint(1, len(steps)), rng.choice(choices))
        elif roll < 0.10 and customer and self.line.team != "Financeiro":
            steps.insert(rng.randint(1, len(steps)), rng.choice(_NEGOTIATION))
        if rng.random() < 0.35:
            if steps[-1].who == "e":
                steps.append(rng.choice(_FILLER_IN))
                if rng.random() < 0.5:
                    steps.append(rng.choice(_FILLER_OUT))
            else:
                steps.append(rng.choice(_FILLER_OUT))

    # -- emission ---------------------------------------------------------------------------

    def emit(self, start: int, session: _Session, day: _Day) -> None:
        """Play one conversation: its messages, then the events that follow them."""
        rng, line = self.rng, self.line
        if day is not self.media_day:  # WhatsApp numbers media per day: IMG-20240301-WA0003.jpg
            self.media_day, self.media_count = day, 0
        contact, group = session.contact, session.group
        if group is not None:
            conversation, chat = group.conversation, group.key.removeprefix("group:")
        else:
            assert contact is not None, "a one-to-one session has a contact"
            conversation, chat = contact.conversation, f"{contact.wa_id}@c.us"
        values = SessionValues(
            rng=rng, plan=self.plan, line=line, contact=contact, day=day.date, hour=(start - day.midnight) // 3600
        )
        steps, referral = session.steps, None
        if contact is not None and not self.seen[contact.index]:
            self.seen[contact.index] = 1
            if session.may_open_from_ad and rng.random() < AD_SHARE:
                # The ad's greeting comes first; the script's last step gives way to keep the count.
                steps, referral = (phrases.AD_OPENING, *steps[:-1]), self._referral()
        sent: list[Sent] = []
        at, last_in, last_out = start, None, None
        member: DemoContact | None = None  # who writes this step; None: the line
        previous: DemoContact | None = None
        for i, step in enumerate(steps):
            outbound = step.who == "e"
            if outbound:
                member = None
            elif group is None:
                member = contact
            elif step.who == "g":
                member = group.members[0]
            elif member is None or rng.random() < 0.7:
                member = rng.choice(group.members)
            if i:  # a chat still going at the window's end is squeezed into its last second
                at = min(at + self._gap(same=member is previous, outbound=outbound), self.last_second)
            previous = member
            text: str | None = None
            if step.texts:
                text = step.texts[0] if len(step.texts) == 1 else rng.choice(step.texts)
                if step.templated:
                    text = text.format_map(values)
            message_id = self._event_id(outbound=outbound, member=member, chat=chat, group=group, contact=contact)
            kind: MessageKind = MessageKind.TEXT
            attachments: tuple[AttachmentRef, ...] = ()
            if step.media:
                self.media_count += 1
                kind, ref = attachment(
                    step.media,
                    caption=text,
                    values=values,
                    local=datetime.fromtimestamp(at, self.zone),
                    number=self.media_count,
                    tag=f"{line.index}:{message_id}".encode(),
                )
                attachments = (ref,)
            shown, correct = text, None
            if text and kind is MessageKind.TEXT and not step.revoke and rng.random() < EDIT_SHARE:
                typo = _typo(rng, text) if len(text) > 3 else None
                if typo is not None:
                    shown, correct = typo, text
            reply_to = None
            if step.reply or rng.random() < 0.04:
                reply_to = last_in if outbound else last_out
            event = MessageEvent(
                provider_message_id=message_id,
                conversation=conversation,
                direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
                kind=kind,
                sent_at=datetime.fromtimestamp(at, UTC),
                text=shown,
                author=member.ref if member else None,
                author_name=member.profile_name if member else line.employee.name,
                reply_to=reply_to,
                forwarded=step.forwarded or (group is not None and kind is MessageKind.IMAGE and rng.random() < 0.2),
                frequently_forwarded=step.frequently_forwarded,
                referral=referral if i == 0 else None,
                attachments=attachments,
            )
            self.push(at, event)
            if correct is not None:
                edit_at = at + 15 + int(rng.random() * 386)
                edit = EditEvent(
                    target_message_id=message_id,
                    conversation=conversation,
                    new_text=correct,
                    edited_at=datetime.fromtimestamp(edit_at, UTC),
                    provider_event_id=self._event_id(
                        outbound=outbound, member=member, chat=chat, group=group, contact=contact
                    ),
                )
                self.push(edit_at, edit)
            sent.append(Sent(at, outbound, event, member, step.revoke, correct is not None))
            if outbound:
                last_out = message_id
            else:
                last_in = message_id
        self.followups.schedule(sent, conversation=conversation, contact=contact, group=group, chat=chat)

    def _gap(self, *, same: bool, outbound: bool) -> int:
        """Seconds before the next message: typing on, or the other side answering."""
        rng = self.rng
        if same:
            return 3 + int(rng.random() * 38)
        if outbound:
            gap = 15 + int(rng.expovariate(1 / 120))
            return gap + 600 + int(rng.random() * 4801) if rng.random() < 0.05 else gap
        gap = 8 + int(rng.expovariate(1 / 200))
        return gap + 900 + int(rng.random() * 9901) if rng.random() < 0.08 else gap

    def _event_id(
        self,
        *,
        outbound: bool,
        member: DemoContact | None,
        chat: str,
        group: DemoGroup | None,
        contact: DemoContact | None,
    ) -> str:
        """A message (or edit) id; Cloud API ids name the other party, WAHA group ids the author."""
        other = member or contact
        return self.mint.message_id(
            wa_id=other.wa_id if other else self.line.wa_id,
            chat=chat,
            outbound=outbound,
            style=self.out_style if member is None else member.index % 3,
            participant=f"{member.wa_id}@c.us" if group and member else None,
        )

    def _referral(self) -> dict[str, str]:
        rng = self.rng
        campaign = rng.choice(self.plan.campaigns)
        return {
            "source_url": campaign.source_url,
            "source_id": campaign.source_id,
            "source_type": "ad",
            "headline": campaign.headline,
            "body": campaign.body,
            "media_type": campaign.media_type,
            "ctwa_clid": "Af" + base64.urlsafe_b64encode(rng.randbytes(45)).decode("ascii"),
        }
