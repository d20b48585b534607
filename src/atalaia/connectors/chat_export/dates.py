"""Deciding a file's header layout and date order from the whole file, then reading timestamps.

The header layout (brackets, separators, comma, seconds, 12/24-hour clock, terminator) and the
date order (day or month first) are properties of one export, never of one line. So:
1. `LayoutSniffer` looks at every line with a broad candidate pattern and counts the layouts seen
   and, per layout, the proofs of order (a first field > 12 proves day-first; a second > 12,
   month-first).
2. Its `layout` is the most frequent one and `order()` the proven order; when nothing is proven,
   the reader falls back to the locale hint, else day-first (Atalaia is Brazil-first).
3. `HeaderLayout.compile()` builds the one strict pattern used on every line of the second pass,
   so a line that merely looks like a header of another layout stays inside its message.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from atalaia.connectors.chat_export.locales import INVISIBLE_MARKS

MIN_SAMPLE: Final = 400  # headers seen before the first pass may stop (when the order is proven)
_CACHE_LIMIT: Final = 4_096  # distinct dates (or clock times) remembered; a chat spans far fewer days
_ZERO: Final = timedelta(0)

_MARKS = f"[{INVISIBLE_MARKS}]*"
_SP = "[ \u00a0\u202f]"
# "PM", "pm", "p.m.", "p. m." (NBSP inside too), and the Arabic ص/م; the first letter decides.
_AMPM = rf"(?P<ap>[aApP]\.?{_SP}?[mM]\.?|[صم])"
_DATE = r"(?P<d1>\d{1,4})(?P<ds>\u200f?[./-]|\.[ \u00a0])(?P<d2>\d{1,2})(?P=ds)(?P<d3>\d{2,4})(?P<dot>\.)?"
_TIME = rf"(?P<h>\d{{1,2}})(?P<ts>[:.])(?P<mi>\d{{2}})(?:(?P=ts)(?P<s>\d{{2}}))?(?:{_SP}?{_AMPM})?"
_TERM = rf"(?P<term>\]{_SP}|{_SP}-{_SP}|:{_SP}|{_SP})"
_CANDIDATE: Final = re.compile(rf"{_MARKS}(?P<ob>\[{_MARKS})?{_DATE}(?P<join>[,،]?{_SP}|{_SP}klo{_SP}){_TIME}{_TERM}")
_CANDIDATE_TIME_FIRST: Final = re.compile(rf"{_MARKS}(?P<ob>\[{_MARKS}){_TIME}(?P<join>[,،]{_SP}){_DATE}{_TERM}")
_TERMS: Final = {"]": rf"\]{_SP}", "-": rf"{_SP}-{_SP}", ":": rf":{_SP}", " ": _SP}


class DateOrder(StrEnum):
    DMY = "dmy"
    MDY = "mdy"
    YMD = "ymd"


@dataclass(frozen=True, slots=True)
class HeaderLayout:
    """The shape of every message header in one export."""

    bracket: bool  # iOS "[...]"
    time_first: bool  # iOS Vietnamese "[21:41:35, 3/27/22]"
    date_sep: str  # "/", ".", "-", ". " (Hungarian), "\u200f/" (Arabic)
    date_dot: bool  # a dot after the year ("13. 6. 2018.")
    year_first: bool
    year_digits: int  # 2 or 4
    comma: bool  # "date, time" (or the Arabic comma)
    klo: bool  # Finnish "13.6.2018 klo 21.25.15"
    time_sep: str  # ":" or "."
    seconds: bool
    twelve_hour: bool
    terminator: str  # "]" (iOS), "-" (Android), ":" (old iOS), " " (bare)

    @property
    def ios(self) -> bool:
        """iOS exports mark system lines with a name then U+200E; Android ones carry no name."""
        return self.bracket or self.terminator == ":"

    def describe(self) -> str:
        platform = "iOS" if self.ios else "Android"
        clock = "12h" if self.twelve_hour else "24h"
        return f"{platform}, {clock}{' com segundos' if self.seconds else ''}, ano com {self.year_digits} dígitos"

    def compile(self) -> re.Pattern[str]:
        """The strict header pattern for this layout, with five groups: the date, then hour,
        minute, second and am/pm (the last two empty when the layout has none); time-first
        layouts put the date last (see `timestamp_reader`)."""
        return re.compile(self._pattern(scan=False))

    def scan_pattern(self) -> re.Pattern[str]:
        """The header for `split` over a chunk of complete lines: the newline that ends the line
        before it (a literal first character lets the regex engine jump from line to line), then
        the header. Five groups: the header as written; the date, "hour:minute", second and
        am/pm (empty when the layout has none; time-first layouts put the date fourth)."""
        return re.compile(f"\n({self._pattern(scan=True)})")

    def _pattern(self, *, scan: bool, capture: bool = True) -> str:
        o = "(" if capture else "(?:"
        sep = r"\.[ \u00a0]" if self.date_sep == ". " else re.escape(self.date_sep)
        if self.year_first:
            date = rf"{o}\d{{4}}{sep}\d{{1,2}}{sep}\d{{1,2}})"
        else:
            date = rf"{o}\d{{1,2}}{sep}\d{{1,2}}{sep}\d{{{self.year_digits}}})"
        if self.date_dot:
            date += r"\."
        ts = re.escape(self.time_sep)
        seconds = rf"{ts}{o}\d{{2}})" if self.seconds else f"{o})"
        ampm = rf"{_SP}?{o}[aApP]\.?{_SP}?[mM]\.?|[صم])" if self.twelve_hour else f"{o})"
        clock = rf"{o}\d{{1,2}}{ts}\d{{2}})" if scan else rf"{o}\d{{1,2}}){ts}{o}\d{{2}})"
        time = f"{clock}{seconds}{ampm}"
        if self.time_first:
            body = rf"{time}[,،]{_SP}{date}"
        else:
            join = f"[,،]{_SP}" if self.comma else (f"{_SP}klo{_SP}" if self.klo else _SP)
            body = f"{date}{join}{time}"
        opening = rf"\[{_MARKS}" if self.bracket else ""
        return f"{_MARKS}{opening}{body}{_TERMS[self.terminator]}"


def _layout_of(m: re.Match[str], *, time_first: bool) -> HeaderLayout | None:
    bracket = m.group("ob") is not None
    term = m.group("term").strip(" \u00a0\u202f") or " "
    if bracket != (term == "]"):
        return None
    d1, d3 = m.group("d1"), m.group("d3")
    year_first = len(d1) == 4
    if year_first:
        if len(d3) > 2:
            return None
    elif len(d1) > 2 or len(d3) not in (2, 4):
        return None
    join = m.group("join")
    return HeaderLayout(
        bracket=bracket,
        time_first=time_first,
        date_sep=m.group("ds").replace("\u00a0", " "),
        date_dot=m.group("dot") is not None,
        year_first=year_first,
        year_digits=4 if year_first else len(d3),
        comma=join[0] in ",،",
        klo="klo" in join,
        time_sep=m.group("ts"),
        seconds=m.group("s") is not None,
        twelve_hour=m.group("ap") is not None,
        terminator=term,
    )


_Key = tuple[bool | str | int | None, ...]


class LayoutSniffer:
    """First pass: fed every line, it counts candidate layouts and date-order proofs.

    Counting is per raw key (a tuple of the matched separators, cheap to hash); keys map to
    layouts, and several keys may share one (AM and PM lines, say).
    """

    def __init__(self) -> None:
        self.headers = 0
        self._seen: Counter[_Key] = Counter()
        self._day_first: Counter[_Key] = Counter()
        self._month_first: Counter[_Key] = Counter()
        self._layouts: dict[_Key, HeaderLayout | None] = {}

    def feed(self, line: str) -> str | None:
        """Count this line; return the text after the header when it looks like one."""
        m = _CANDIDATE.match(line)
        time_first = False
        if m is None:
            if "[" not in line[:4]:
                return None
            m = _CANDIDATE_TIME_FIRST.match(line)
            if m is None:
                return None
            time_first = True
        ob, ds, dot, join, ts, sec, ap, term, d1, d2, d3 = m.group(
            "ob", "ds", "dot", "join", "ts", "s", "ap", "term", "d1", "d2", "d3"
        )
        # The shape only: which separators, and whether seconds and am/pm are there (not their
        # values, or every line would be a new key).
        key = (ob is None, ds, dot, join, ts, sec is None, ap is None, term, len(d1), len(d3), time_first)
        if key in self._layouts:
            layout = self._layouts[key]
        elif len(self._layouts) >= _CACHE_LIMIT:
            return None  # thousands of distinct header shapes: this is not a chat export
        else:
            layout = self._layouts[key] = _layout_of(m, time_first=time_first)
        if layout is None:
            return None
        self.headers += 1
        self._seen[key] += 1
        if not layout.year_first:
            if int(d1) > 12:
                self._day_first[key] += 1
            if int(d2) > 12:
                self._month_first[key] += 1
        return line[m.end() :]

    def _totals(self, counter: Counter[_Key]) -> Counter[HeaderLayout]:
        totals: Counter[HeaderLayout] = Counter()
        for key, count in counter.items():
            layout = self._layouts[key]
            if layout is not None:
                totals[layout] += count
        return totals

    @property
    def done(self) -> bool:
        """Enough seen: the leading layout is clear and its date order proven."""
        if self.headers < MIN_SAMPLE or self.headers % 64:
            return False  # checked now and then: it sums the counters
        layout = self.layout
        return layout is not None and (layout.year_first or self.order(layout) is not None)

    @property
    def layout(self) -> HeaderLayout | None:
        best = self._totals(self._seen).most_common(1)
        return best[0][0] if best else None

    def order(self, layout: HeaderLayout) -> DateOrder | None:
        """The order the file proves for this layout, or None when it proves nothing."""
        if layout.year_first:
            return DateOrder.YMD
        day, month = self._totals(self._day_first)[layout], self._totals(self._month_first)[layout]
        if day == month:
            return None  # nothing proven (or a tie of contradicting lines: let the hint decide)
        return DateOrder.DMY if day > month else DateOrder.MDY


TimestampReader = Callable[[tuple[str, ...]], datetime | None]
_DIGITS: Final = re.compile(r"\d+")
_INVALID: Final = (-1, -1, -1)  # cached for a date or time that cannot be
_FIELDS: Final = {DateOrder.DMY: (2, 1, 0), DateOrder.MDY: (2, 0, 1), DateOrder.YMD: (0, 1, 2)}


def _calendar_date(text: str, order: DateOrder) -> tuple[int, int, int] | None:
    """(year, month, day) of a header's date in this order, or None when no such day exists."""
    year_at, month_at, day_at = _FIELDS[order]
    fields = [int(part) for part in _DIGITS.findall(text)]
    year, month, day = fields[year_at], fields[month_at], fields[day_at]
    if year < 100:
        year += 2000  # WhatsApp exists since 2009
    try:
        datetime(year, month, day)
    except ValueError:
        return None
    return year, month, day


def _hour(hour: int, ampm: str) -> int | None:
    """The 24-hour hour; None for "13 PM". `12 AM` is 00h, `12 PM` noon."""
    if not ampm:
        return hour
    if hour > 12:
        return None
    return hour % 12 + (12 if ampm[0] in "pPم" else 0)


def timestamp_reader(layout: HeaderLayout, order: DateOrder) -> TimestampReader:
    """A function from the groups of `layout.compile()` to a naive local datetime (None if impossible).

    The plain per-line reader: the second pass uses `HeaderClock`, which must agree with it.
    """
    date_at, hour_at = (4, 0) if layout.time_first else (0, 1)
    dates: dict[str, tuple[int, int, int]] = {}

    def read(groups: tuple[str, ...]) -> datetime | None:
        text = groups[date_at]
        date = dates.get(text)
        if date is None:
            if len(dates) >= _CACHE_LIMIT:
                dates.clear()
            date = dates[text] = _calendar_date(text, order) or _INVALID
        hour = _hour(int(groups[hour_at]), groups[hour_at + 3])
        if date is _INVALID or hour is None:
            return None
        second = groups[hour_at + 2]
        try:  # the constructor checks hour, minute and second
            return datetime(date[0], date[1], date[2], hour, int(groups[hour_at + 1]), int(second) if second else 0)
        except ValueError:
            return None

    return read


class HeaderClock:
    """Date and time strings of headers -> naive datetimes, each distinct part converted once.

    `datetime(...)` costs three times a dict lookup and an addition, and runs once per message.
    So each date becomes its midnight once, each "hour:minute" (with its am/pm) and each second
    a `timedelta` once, and a message's time is, inline in the scanner,
    `midnights[date] + (clocks[hm + ampm] + seconds[sec])`, a KeyError sending it to `time()`.
    Only possible values are remembered: an impossible date is rare (typed in a message) and
    read again each time. The caches stay small: a chat has a few thousand days, 1,440 minutes
    per am/pm spelling, 60 seconds.
    """

    def __init__(self, order: DateOrder) -> None:
        self.order = order
        self.midnights: dict[str, datetime] = {}
        self.clocks: dict[str, timedelta] = {}
        self.seconds: dict[str, timedelta] = {"": _ZERO}

    def time(self, date: str, hm: str, sec: str, ampm: str) -> datetime | None:
        """The time these header fields name ("27/03/2022", "9:41", "05" or "", "PM" or ""),
        or None when there is no such day or time."""
        self._trim()
        base = self.midnights.get(date)
        if base is None:
            base = self._day(date)
        delta = self.clocks.get(hm + ampm)
        if delta is None:  # not `or`: timedelta(0), midnight, is false
            delta = self._clock(hm, ampm)
        extra = self.seconds.get(sec)
        if extra is None:
            extra = self._second(sec)
        if base is None or delta is None or extra is None:
            return None
        return base + (delta + extra)

    def _trim(self) -> None:
        for cache in (self.midnights, self.clocks, self.seconds):
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
        self.seconds[""] = _ZERO

    def _day(self, date: str) -> datetime | None:
        day = _calendar_date(date, self.order)
        if day is None:
            return None
        found = self.midnights[date] = datetime(*day)
        return found

    def _clock(self, hm: str, ampm: str) -> timedelta | None:
        hour, minute = _hour(int(hm[:-3]), ampm), int(hm[-2:])  # "9:05", "21.41": one separator
        if hour is None or hour > 23 or minute > 59:
            return None
        found = self.clocks[hm + ampm] = timedelta(hours=hour, minutes=minute)
        return found

    def _second(self, sec: str) -> timedelta | None:
        if int(sec) > 59:
            return None
        found = self.seconds[sec] = timedelta(seconds=int(sec))
        return found
