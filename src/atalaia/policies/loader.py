"""Policy files (YAML) -> domain `Policy` objects, refusing anything unclear with its line number.

We compose the YAML into nodes with PyYAML's SafeLoader and build the policies from the
nodes ourselves, never constructing Python objects from tags (what `yaml.safe_load` would
do next). The nodes carry line numbers for every error, and reading scalars as their raw
text avoids YAML 1.1 surprises: a term `no` or `on` stays a word instead of a boolean.
Errors read like a compiler's: `policies.yml:12: rule 2 of 'conduta': unknown detector 'cpff'`.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml  # type: ignore[import-untyped, unused-ignore]

from atalaia.domain.enums import Direction
from atalaia.domain.policy import (
    Category,
    ContactKind,
    Detector,
    DetectorOptions,
    FileTypeOptions,
    HoursOptions,
    KeywordMatch,
    KeywordOptions,
    Policy,
    RegexOptions,
    Rule,
    Scope,
    Severity,
    Threshold,
    ThresholdPer,
    line_key,
)
from atalaia.policies._yaml import E, Fields, Getter, NodeReader, PolicyError, line_of, value_of
from atalaia.policies.detectors._text import fold_term
from atalaia.policies.detectors.file_type import normalise_type
from atalaia.policies.detectors.hours import parse_weekly_hours
from atalaia.policies.detectors.regex import UnsafePattern, compile_pattern
from atalaia.policies.threshold import MAX_COUNT, MAX_WINDOW, format_window, parse_window

_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_TOP_KEYS: Final = ("policies", "version")
_POLICY_KEYS: Final = (
    "id",
    "name",
    "description",
    "severity",
    "category",
    "scope",
    "rules",
    "enabled",
    "actions",
)
_SCOPE_KEYS: Final = ("direction", "lines", "teams", "contacts")
_RULE_KEYS: Final = ("id", "detect", "severity", "allow", "threshold", "description")
_DETECTOR_KEYS: Final[dict[Detector, tuple[str, ...]]] = {
    Detector.KEYWORDS: ("terms", "match", "within", "evasion"),
    Detector.REGEX: ("pattern", "case_sensitive"),
    Detector.FILE_TYPE: ("types", "mismatch"),
    Detector.OUTSIDE_HOURS: ("hours", "timezone", "holidays", "extra_holidays"),
}
_NO_TEXTS: Final[tuple[str, ...]] = ()
_NO_DATES: Final[frozenset[date]] = frozenset()


def load_policy_file(path: Path | str) -> tuple[Policy, ...]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read the file: {exc}", source=str(path), line=None) from exc
    return load_policies(text, source=str(path))


def load_policies(text: str, *, source: str = "<policies>") -> tuple[Policy, ...]:
    """Parse and validate a whole policy file; raises PolicyError at the first problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PolicyError(f"invalid YAML: {exc.problem}", source=source, line=line_of(mark)) from exc
    except yaml.YAMLError as exc:
        raise PolicyError(f"invalid YAML: {exc}", source=source, line=None) from exc
    reader = _Reader(source)
    if root is None:
        reader.fail(None, "the file is empty; expected 'policies:' with a list of policies")
    top = reader.mapping(root, "the file", _TOP_KEYS)
    if "policies" not in top:
        reader.fail(root, "missing 'policies' (a list of policies)")
    policies_node = top["policies"][1]
    items = reader.sequence(policies_node, "'policies'")
    policies = tuple(reader.policy(node, number) for number, node in enumerate(items, start=1))
    seen: dict[str, int] = {}
    for node, policy in zip(items, policies, strict=True):
        if policy.id in seen:
            reader.fail(node, f"policy id {policy.id!r} already used at line {seen[policy.id]}")
        seen[policy.id] = line_of(node.start_mark) or 0
    return policies


class _Reader(NodeReader):
    """Builds policies from the node tree."""

    def policy(self, node: yaml.Node, number: int) -> Policy:
        id_node = value_of(node, "id")  # read first, so later errors can name the policy
        policy_id = self.identifier(id_node, f"policy {number}: 'id'") if id_node is not None else None
        where = f"policy {policy_id!r}" if policy_id else f"policy {number}"
        fields = self.mapping(node, where, _POLICY_KEYS)
        if policy_id is None:
            self.fail(node, f"policy {number}: missing 'id'")
        get = Getter(fields, self)
        severity = get("severity", lambda n: self.choice(n, f"{where}: 'severity'", Severity), Severity.MEDIUM)
        if "rules" not in fields:
            self.fail(node, f"{where}: missing 'rules' (a list of rules)")
        rule_nodes = self.sequence(fields["rules"][1], f"{where}: 'rules'")
        if not rule_nodes:
            self.fail(fields["rules"][1], f"{where}: 'rules' is empty")
        rules = tuple(self.rule(n, policy_id, position) for position, n in enumerate(rule_nodes, start=1))
        seen: set[str] = set()
        for rule_node, rule in zip(rule_nodes, rules, strict=True):
            if rule.id in seen:
                self.fail(rule_node, f"{where}: rule id {rule.id!r} used twice")
            seen.add(rule.id)
        return Policy(
            id=policy_id,
            rules=rules,
            name=get("name", lambda n: self.string(n, f"{where}: 'name'"), policy_id),
            description=get("description", lambda n: self.string(n, f"{where}: 'description'"), ""),
            severity=severity,
            category=get("category", lambda n: self.choice(n, f"{where}: 'category'", Category), Category.RISK),
            scope=get("scope", lambda n: self.scope(n, where), Scope()),
            enabled=get("enabled", lambda n: self.boolean(n, f"{where}: 'enabled'"), True),
            actions=get("actions", lambda n: self.strings(n, f"{where}: 'actions'"), _NO_TEXTS),
        )

    def identifier(self, node: yaml.Node, where: str) -> str:
        value = self.string(node, where).strip()
        if not _ID.fullmatch(value):
            self.fail(node, f"{where}: {value!r} is not an id (letters, digits, '-', '_', '.')")
        return value

    def scope(self, node: yaml.Node, where: str) -> Scope:
        fields = self.mapping(node, f"{where}: 'scope'", _SCOPE_KEYS)
        get = Getter(fields, self)
        direction = get("direction", lambda n: self._any_or(n, f"{where}: scope 'direction'", Direction), None)
        contacts = get("contacts", lambda n: self._any_or(n, f"{where}: scope 'contacts'", ContactKind), None)
        lines = get("lines", lambda n: self.strings(n, f"{where}: scope 'lines'", single=True), _NO_TEXTS)
        teams = get("teams", lambda n: self.strings(n, f"{where}: scope 'teams'", single=True), _NO_TEXTS)
        return Scope(
            direction=direction,
            lines=frozenset(line_key(line) for line in lines),
            teams=frozenset(team.strip() for team in teams),
            contacts=contacts,
        )

    def _any_or(self, node: yaml.Node, where: str, enum: type[E]) -> E | None:
        if self.string(node, where).strip().lower() in ("any", "all", "both"):
            return None
        return self.choice(node, where, enum)

    def rule(self, node: yaml.Node, policy_id: str, position: int) -> Rule:
        where = f"rule {position} of {policy_id!r}"
        self._count(node)
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{where}: expected a mapping with 'detect'")
        detect_node = value_of(node, "detect")
        if detect_node is None:
            self.fail(node, f"{where}: missing 'detect' (one of: {', '.join(Detector)})")
        name = self.string(detect_node, f"{where}: 'detect'").strip()
        if name not in set(Detector):
            self.fail(detect_node, f"{where}: unknown detector {name!r} (known: {', '.join(sorted(Detector))})")
        detector = Detector(name)
        fields = self.mapping(node, where, _RULE_KEYS + _DETECTOR_KEYS.get(detector, ()))
        get = Getter(fields, self)
        rule_id = get("id", lambda n: self.rule_id(n, f"{where}: 'id'"), f"{policy_id}#{position}")
        allow = get("allow", lambda n: self.strings(n, f"{where}: 'allow'"), _NO_TEXTS)
        for phrase in allow:
            if not fold_term(phrase):
                self.fail(fields["allow"][1], f"{where}: 'allow' has an empty phrase")
        return Rule(
            id=rule_id,
            detector=detector,
            options=self.options(detector, fields, node, where),
            severity=get("severity", lambda n: self.choice(n, f"{where}: 'severity'", Severity), None),
            allow=allow,
            threshold=get("threshold", lambda n: self.threshold(n, where), None),
            source_line=line_of(node.start_mark),
        )

    def rule_id(self, node: yaml.Node, where: str) -> str:
        if "#" in self.string(node, where):
            self.fail(node, f"{where}: '#' is reserved for generated rule names")
        return self.identifier(node, where)

    def threshold(self, node: yaml.Node, where: str) -> Threshold:
        example = "e.g. {count: 3, window: 24h, per: conversation}"
        fields = self.mapping(node, f"{where}: 'threshold'", ("count", "window", "per"))
        for key in ("count", "window"):
            if key not in fields:
                self.fail(node, f"{where}: 'threshold' needs 'count' and 'window' ({example})")
        count_node, window_node = fields["count"][1], fields["window"][1]
        count = self.integer(count_node, f"{where}: threshold 'count'", minimum=1)
        if count > MAX_COUNT:
            self.fail(count_node, f"{where}: threshold 'count': at most {MAX_COUNT}, got {count}")
        try:
            window = parse_window(self.string(window_node, f"{where}: threshold 'window'"))
        except ValueError as exc:
            self.fail(window_node, f"{where}: threshold 'window': {exc}")
        if window > MAX_WINDOW:
            self.fail(window_node, f"{where}: threshold 'window': at most {format_window(MAX_WINDOW)}")
        get = Getter(fields, self)
        per = get("per", lambda n: self.choice(n, f"{where}: threshold 'per'", ThresholdPer), ThresholdPer.CONVERSATION)
        return Threshold(count=count, window=window, per=per)

    def options(self, detector: Detector, fields: Fields, node: yaml.Node, where: str) -> DetectorOptions | None:
        get = Getter(fields, self)
        if detector is Detector.KEYWORDS:
            return self.keyword_options(fields, node, where)
        if detector is Detector.REGEX:
            if "pattern" not in fields:
                self.fail(node, f"{where}: missing 'pattern'")
            pattern_node = fields["pattern"][1]
            pattern = self.string(pattern_node, f"{where}: 'pattern'")
            case_sensitive = get("case_sensitive", lambda n: self.boolean(n, f"{where}: 'case_sensitive'"), False)
            try:
                compile_pattern(pattern, case_sensitive=case_sensitive)
            except UnsafePattern as exc:
                self.fail(pattern_node, f"{where}: {exc}")
            return RegexOptions(pattern=pattern, case_sensitive=case_sensitive)
        if detector is Detector.FILE_TYPE:
            types = get("types", lambda n: self.strings(n, f"{where}: 'types'", single=True), _NO_TEXTS)
            mismatch = get("mismatch", lambda n: self.boolean(n, f"{where}: 'mismatch'"), False)
            if not types and not mismatch:
                self.fail(node, f"{where}: give 'types' (e.g. [xlsx, csv, zip, sql]) or 'mismatch: true'")
            return FileTypeOptions(types=frozenset(normalise_type(t) for t in types), mismatch=mismatch)
        if detector is Detector.OUTSIDE_HOURS:
            return self.hours_options(fields, node, where)
        return None

    def keyword_options(self, fields: Fields, node: yaml.Node, where: str) -> KeywordOptions:
        get = Getter(fields, self)
        if "terms" not in fields:
            self.fail(node, f"{where}: missing 'terms' (a list of words or phrases)")
        terms_node = fields["terms"][1]
        terms = self.strings(terms_node, f"{where}: 'terms'")
        if not terms:
            self.fail(terms_node, f"{where}: 'terms' is empty")
        for term_node, term in zip(terms_node.value, terms, strict=True):
            if not fold_term(term):
                self.fail(term_node, f"{where}: empty term")
        within = get("within", lambda n: self.integer(n, f"{where}: 'within'", minimum=0), None)
        if within is not None and len({fold_term(t) for t in terms}) < 2:
            self.fail(fields["within"][1], f"{where}: 'within' needs at least two different terms")
        return KeywordOptions(
            terms=terms,
            match=get("match", lambda n: self.choice(n, f"{where}: 'match'", KeywordMatch), KeywordMatch.WORD),
            within=within,
            evasion=get("evasion", lambda n: self.boolean(n, f"{where}: 'evasion'"), False),
        )

    def hours_options(self, fields: Fields, node: yaml.Node, where: str) -> HoursOptions:
        get = Getter(fields, self)
        if "hours" not in fields:
            self.fail(node, f"{where}: missing 'hours' (e.g. {{mon-fri: \"08:00-18:00\"}})")
        hours_node = fields["hours"][1]
        self._count(hours_node)
        if not isinstance(hours_node, yaml.MappingNode):
            self.fail(hours_node, f"{where}: 'hours' must map days to hours, e.g. {{mon-fri: \"08:00-18:00\"}}")
        spec: dict[str, str | list[str] | None] = {}
        for key_node, value_node in hours_node.value:
            day = self.string(key_node, f"{where}: 'hours' day")
            value: str | list[str] | None
            if self.is_null(value_node):
                value = None
            elif isinstance(value_node, yaml.SequenceNode):
                value = list(self.strings(value_node, f"{where}: hours of {day!r}"))
            else:
                value = self.string(value_node, f"{where}: hours of {day!r}")
            try:
                parse_weekly_hours({day: value})
            except ValueError as exc:
                self.fail(key_node, f"{where}: {exc}")
            spec[day] = value
        timezone = get("timezone", lambda n: self.string(n, f"{where}: 'timezone'").strip(), "America/Sao_Paulo")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(fields["timezone"][1], f"{where}: unknown time zone {timezone!r} (e.g. America/Sao_Paulo)")
        extra = get("extra_holidays", lambda n: self.dates(n, f"{where}: 'extra_holidays'"), _NO_DATES)
        return HoursOptions(
            hours=parse_weekly_hours(spec),
            timezone=timezone,
            holidays=get("holidays", lambda n: self.boolean(n, f"{where}: 'holidays'"), True),
            extra_holidays=extra,
        )

    def dates(self, node: yaml.Node, where: str) -> frozenset[date]:
        result = set()
        for item in self.sequence(node, where):
            text = self.string(item, where).strip()
            try:
                result.add(date.fromisoformat(text))
            except ValueError:
                self.fail(item, f"{where}: {text!r} is not a date (YYYY-MM-DD)")
        return frozenset(result)
