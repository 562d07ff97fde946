"""The subset of JQL the Jira stand-in understands, read the way Jira reads it.

Grammar (keywords case-insensitive)::

    query   := [or_expr] [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
    or_expr := and_expr {OR and_expr}
    and_expr:= not_expr {AND not_expr}
    not_expr:= NOT not_expr | "(" or_expr ")" | clause
    clause  := field op value | field [NOT] IN "(" value {, value} ")"
             | field IS [NOT] (EMPTY | NULL)

Date literals follow Jira exactly: an *unquoted* number is epoch
milliseconds; ``"yyyy-MM-dd HH:mm"``, ``"yyyy/MM/dd HH:mm"``, ``"yyyy-MM-dd"``
and ``"yyyy/MM/dd"`` are wall-clock times in the *querying account's* time
zone, at minute precision; ``-5d``-style periods count from "now". Anything
outside the subset raises :class:`JqlError` with Jira's wording, so a client
that sends unsupported syntax finds out in tests instead of in production.
Compilation (:func:`compile_query`) is separate from parsing so that values
are checked against the site (existing keys and projects) once per search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class JqlError(ValueError):
    """A query Jira would refuse with 400; ``str()`` is Jira's message."""


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class Literal:
    text: str
    quoted: bool


@dataclass(frozen=True, slots=True)
class Clause:
    field: str  # canonical name: project, key, updated, created, labels, ...
    op: str  # = != > >= < <= in "not in" is "is not"
    values: tuple[Literal, ...]  # empty for IS [NOT] EMPTY


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # and | or
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    part: Node


Node = Clause | BoolOp | Not


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True, slots=True)
class Query:
    where: Node | None
    order: tuple[SortKey, ...]


FIELDS = {
    "project": "project",
    "key": "key",
    "issuekey": "key",
    "issue": "key",
    "id": "key",
    "updated": "updated",
    "updateddate": "updated",
    "created": "created",
    "createddate": "created",
    "labels": "labels",
    "issuetype": "issuetype",
    "type": "issuetype",
    "status": "status",
    "statuscategory": "statusCategory",
    "parent": "parent",
}
SORTABLE = frozenset({"updated", "created", "key", "project"})
_DATE_OPS = frozenset({"=", "!=", ">", ">=", "<", "<=", "in", "not in", "is", "is not"})
_SET_OPS = frozenset({"=", "!=", "in", "not in", "is", "is not"})
_OPS_BY_FIELD = {"updated": _DATE_OPS, "created": _DATE_OPS}

# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<op>!=|>=|<=|!~|[=<>~])
    | (?P<punct>[(),])
    | (?P<word>[^\s(),=!<>~"']+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # str | op | punct | word | eof
    text: str

    def keyword(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise JqlError(
                f"Error in the JQL Query: The character '{text[pos]}' is a reserved "
                f"JQL character (at character {pos + 1})."
            )
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append(_Token(kind, value))
        pos = match.end()
    tokens.append(_Token("eof", ""))
    return tokens


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def fail(self, expected: str) -> JqlError:
        got = self.peek.text or "the end of the query"
        return JqlError(f"Error in the JQL Query: Expecting {expected} but got '{got}'.")

    def query(self) -> Query:
        where = None if self.peek.kind == "eof" or self.peek.keyword("order") else self.or_expr()
        order: list[SortKey] = []
        if self.peek.keyword("order"):
            self.take()
            if not self.take().keyword("by"):
                raise JqlError("Error in the JQL Query: Expecting 'BY' after 'ORDER'.")
            order.append(self.sort_key())
            while self.peek.text == "," and self.peek.kind == "punct":
                self.take()
                order.append(self.sort_key())
        if self.peek.kind != "eof":
            raise self.fail("either 'OR' or 'AND'")
        return Query(where, tuple(order))

    def sort_key(self) -> SortKey:
        token = self.take()
        field = FIELDS.get(token.text.lower()) if token.kind in ("word", "str") else None
        if field not in SORTABLE:
            raise JqlError(
                f"Field '{token.text}' does not exist or you do not have permission to view it."
            )
        descending = False
        if self.peek.keyword("asc", "desc"):
            descending = self.take().text.lower() == "desc"
        return SortKey(field, descending)

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek.keyword("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.peek.keyword("and"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def not_expr(self) -> Node:
        if self.peek.keyword("not"):
            self.take()
            return Not(self.not_expr())
        if self.peek.kind == "punct" and self.peek.text == "(":
            self.take()
            node = self.or_expr()
            if self.take().text != ")":
                raise JqlError("Error in the JQL Query: Expecting ')' before the end of the query.")
            return node
        return self.clause()

    def clause(self) -> Clause:
        token = self.take()
        if token.kind not in ("word", "str"):
            raise JqlError(
                f"Error in the JQL Query: Expecting a field name but got '{token.text}'."
            )
        field = FIELDS.get(token.text.lower())
        if field is None:
            raise JqlError(
                f"Field '{token.text}' does not exist or you do not have permission to view it."
            )
        op = self.operator()
        allowed = _OPS_BY_FIELD.get(field, _SET_OPS)
        if op not in allowed:
            raise JqlError(f"The operator '{op}' is not supported by the '{token.text}' field.")
        if op in ("is", "is not"):
            if not self.take().keyword("empty", "null"):
                raise JqlError("Error in the JQL Query: Expecting 'EMPTY' or 'NULL'.")
            return Clause(field, op, ())
        if op in ("in", "not in"):
            return Clause(field, op, self.value_list())
        return Clause(field, op, (self.value(),))

    def operator(self) -> str:
        token = self.take()
        if token.kind == "op":
            if token.text in ("~", "!~"):
                raise JqlError(f"The operator '{token.text}' is not supported here.")
            return token.text
        if token.keyword("in"):
            return "in"
        if token.keyword("is"):
            if self.peek.keyword("not"):
                self.take()
                return "is not"
            return "is"
        if token.keyword("not") and self.take().keyword("in"):
            return "not in"
        raise JqlError(f"Error in the JQL Query: Expecting operator but got '{token.text}'.")

    def value(self) -> Literal:
        token = self.take()
        if token.kind == "str":
            return Literal(token.text, quoted=True)
        if token.kind != "word" or token.keyword("and", "or", "order", "empty", "null"):
            raise JqlError(
                f"Error in the JQL Query: Expecting either a value, list or function "
                f"but got '{token.text or 'the end of the query'}'."
            )
        if self.peek.kind == "punct" and self.peek.text == "(":
            raise JqlError(f"Unable to find JQL function '{token.text}()'.")
        return Literal(token.text, quoted=False)

    def value_list(self) -> tuple[Literal, ...]:
        if self.take().text != "(":
            raise JqlError("Error in the JQL Query: Expecting '(' after 'IN'.")
        values = [self.value()]
        while self.peek.text == ",":
            self.take()
            values.append(self.value())
        if self.take().text != ")":
            raise JqlError("Error in the JQL Query: Expecting ')' to close the list.")
        return tuple(values)


def parse(text: str) -> Query:
    """Parse ``text``; raise :class:`JqlError` with Jira's message when outside the subset."""
    return _Parser(text).query()


# ---------------------------------------------------------------- evaluation


class Subject(Protocol):
    """What a clause can look at on one issue."""

    @property
    def key(self) -> str: ...
    @property
    def id(self) -> int: ...
    @property
    def project(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def status_category(self) -> str: ...
    @property
    def labels(self) -> list[str]: ...
    @property
    def parent_key(self) -> str | None: ...
    @property
    def created(self) -> datetime: ...
    @property
    def updated(self) -> datetime: ...


class Site(Protocol):
    """What compilation checks values against."""

    def has_project(self, key: str) -> bool: ...
    def has_issue(self, key_or_id: str) -> bool: ...
    def issue_key(self, key_or_id: str) -> str | None: ...


Predicate = Callable[[Subject], bool]

_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$")
_PERIOD = re.compile(r"^([-+]?)((?:\d+[wdhm]\s*)+)$")
_UNIT = {
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
}
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*-\d+$")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    """Whole milliseconds since the epoch, without float rounding."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def date_value(literal: Literal, field: str, zone: ZoneInfo, now: datetime) -> int:
    """Epoch milliseconds of a JQL date literal, read as Jira reads it."""
    text = literal.text.strip()
    if not literal.quoted and re.fullmatch(r"-?\d+", text):
        return int(text)
    match = _DATE.match(text)
    if match is not None:
        year, month, day, hour, minute = (int(g) if g else 0 for g in match.groups())
        try:
            local = datetime(year, month, day, hour, minute, tzinfo=zone)
        except ValueError:
            pass
        else:
            return epoch_ms(local)
    period = _PERIOD.match(text)
    if period is not None:
        delta = sum(
            (int(n) * _UNIT[u] for n, u in re.findall(r"(\d+)([wdhm])", period.group(2))),
            timedelta(),
        )
        moment = now - delta if period.group(1) == "-" else now + delta
        return epoch_ms(moment.replace(second=0, microsecond=0))
    raise JqlError(
        f"Date value '{literal.text}' for field '{field}' is invalid. Valid formats include: "
        "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
        "format e.g. '-5d', '4w 2d'."
    )


@dataclass(frozen=True, slots=True)
class _Checks:
    """Strict validation raises; lenient (DC ``validateQuery=warn``) only warns."""

    validate: bool
    warnings: list[str]

    def problem(self, message: str) -> None:
        if self.validate:
            raise JqlError(message)
        self.warnings.append(message)


def compile_query(
    query: Query,
    site: Site,
    zone: ZoneInfo,
    now: datetime,
    *,
    validate: bool = True,
    warnings: list[str] | None = None,
) -> tuple[Predicate, Callable[[Sequence[Subject]], list[Subject]]]:
    """Return a predicate for the WHERE part and a sorter for ORDER BY.

    With ``validate=False`` unknown keys and projects match nothing and their
    messages go to ``warnings`` instead of failing the query.
    """
    checks = _Checks(validate, warnings if warnings is not None else [])
    where = query.where
    predicate: Predicate = (
        (lambda _s: True) if where is None else _compile(where, site, zone, now, checks)
    )
    return predicate, _sorter(query.order)


def _compile(node: Node, site: Site, zone: ZoneInfo, now: datetime, checks: _Checks) -> Predicate:
    if isinstance(node, Not):
        inner = _compile(node.part, site, zone, now, checks)
        return lambda s: not inner(s)
    if isinstance(node, BoolOp):
        parts = [_compile(p, site, zone, now, checks) for p in node.parts]
        if node.op == "and":
            return lambda s: all(p(s) for p in parts)
        return lambda s: any(p(s) for p in parts)
    if node.field in ("updated", "created"):
        return _date_clause(node, zone, now)
    return _set_clause(node, site, checks)


def _date_clause(clause: Clause, zone: ZoneInfo, now: datetime) -> Predicate:
    field = clause.field
    if clause.op in ("is", "is not"):
        return lambda _s: clause.op == "is not"
    values = [date_value(v, field, zone, now) for v in clause.values]

    def moment(s: Subject) -> int:
        return epoch_ms(s.updated if field == "updated" else s.created)

    compare: dict[str, Callable[[int], bool]] = {
        "=": lambda m: m == values[0],
        "!=": lambda m: m != values[0],
        ">": lambda m: m > values[0],
        ">=": lambda m: m >= values[0],
        "<": lambda m: m < values[0],
        "<=": lambda m: m <= values[0],
        "in": lambda m: m in values,
        "not in": lambda m: m not in values,
    }
    test = compare[clause.op]
    return lambda s: test(moment(s))


def _set_clause(clause: Clause, site: Site, checks: _Checks) -> Predicate:
    field = clause.field
    wanted = {_normalise(field, v, site, checks) for v in clause.values}
    wanted.discard("")

    def have(s: Subject) -> set[str]:
        return _values_of(s, field)

    if clause.op == "is":
        return lambda s: not have(s)
    if clause.op == "is not":
        return lambda s: bool(have(s))
    if clause.op in ("=", "in"):
        return lambda s: bool(have(s) & wanted)
    return lambda s: bool(have(s)) and not have(s) & wanted


def _values_of(s: Subject, field: str) -> set[str]:
    single = {
        "project": s.project,
        "key": s.key,
        "issuetype": s.type,
        "status": s.status,
        "statusCategory": s.status_category,
        "parent": s.parent_key or "",
    }
    if field == "labels":
        return {label.lower() for label in s.labels}
    value = single[field]
    return {value.lower()} if value else set()


_CATEGORY_NAMES = {"to do": "new", "in progress": "indeterminate", "done": "done"}


def _normalise(field: str, literal: Literal, site: Site, checks: _Checks) -> str:
    text = literal.text.strip()
    if field in ("key", "parent"):
        if not (_KEY.match(text) or text.isdigit()):
            checks.problem(f"The issue key '{text}' for field '{field}' is invalid.")
        key = site.issue_key(text)
        if key is None:
            checks.problem(f"An issue with key '{text}' does not exist for field '{field}'.")
            return text.lower()
        return key.lower()
    if field == "project" and not site.has_project(text):
        checks.problem(f"The value '{text}' does not exist for the field 'project'.")
    if field == "statusCategory":
        return _CATEGORY_NAMES.get(text.lower(), text.lower())
    return text.lower()


def _sorter(order: tuple[SortKey, ...]) -> Callable[[Sequence[Subject]], list[Subject]]:
    keys = order or (SortKey("key", descending=True),)

    def sort(items: Sequence[Subject]) -> list[Subject]:
        result = list(items)
        for sort_key in reversed(keys):
            result.sort(key=_sort_value(sort_key.field), reverse=sort_key.descending)
        return result

    return sort


def _sort_value(field: str) -> Callable[[Subject], tuple[str, int]]:
    def value(s: Subject) -> tuple[str, int]:
        if field == "updated":
            return ("", epoch_ms(s.updated))
        if field == "created":
            return ("", epoch_ms(s.created))
        project, _, number = s.key.rpartition("-")
        if field == "project":
            return (project, 0)
        return (project, int(number))

    return value
