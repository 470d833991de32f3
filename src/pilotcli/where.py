"""`--where EXPR`: filter records on their values (pure: no Typer, no Rich, no eval).

An expression is one or more conditions joined by `and`:

    gdp>2000            comparisons: >, >=, <, <=, = (or ==), !=
    region=east         equality on text (case ignored) or yes/no (yes, no, true, false)
    sectors=finance     on a list field: the list holds the value
    vats_pilot          a yes/no field is yes
    not vats_pilot      a yes/no field is no

Values are in the units of the JSON output (GDP in billion CNY, shares in %, ranks
as numbers). A missing value never matches: neither `gdp>0` nor `gdp<=0`, neither
`vats_pilot` nor `not vats_pilot`, and not `!=` either.

`parse` checks the syntax alone and says where an expression is malformed;
`bind` checks the names and values against the fields a command knows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from pilotcli.errors import UsageError
from pilotcli.names import lookup

FieldKind = Literal["number", "flag", "text", "list", "date"]
Operator = Literal[">", ">=", "<", "<=", "=", "!="]
OPERATORS: tuple[Operator, ...] = (">=", "<=", "!=", ">", "<", "=")
TRUE_WORDS = frozenset({"yes", "true"})
FALSE_WORDS = frozenset({"no", "false"})

# Patterns as strings: `re` compiles (and caches) them on first use, so a call without
# --where does not pay for compiling them.
_TOKEN = r"""\s*(?:
        (?P<op>>=|<=|!=|==|>|<|=)
      | "(?P<dq>[^"]*)"
      | '(?P<sq>[^']*)'
      | (?P<word>[^\s<>=!"']+)
      | (?P<bad>\S)
    )"""


_DATE = r"\d{4}(-\d{2}(-\d{2})?)?"


class _DatePrefix(str):
    """An ISO date or a prefix of one (2022, 2022-12): `=` matches every date it starts."""

    __slots__ = ()


class Token(NamedTuple):
    kind: Literal["op", "word", "quoted"]
    text: str
    column: int
    """1-based position in the expression, for error messages."""


class Condition(NamedTuple):
    field: str
    operator: Operator | None
    """None: a yes/no field by name (`negated` for `not NAME`)."""
    value: str | None
    negated: bool = False
    column: int = 1
    value_column: int = 1


class Bound(NamedTuple):
    """A condition checked against a field: ready to test records."""

    field: str
    operator: Operator
    value: bool | float | str
    """A flag's yes/no, a number, a text (a `_DatePrefix` for dates)."""


class Where(NamedTuple):
    """Conditions that all hold (AND), from one or more expressions."""

    conditions: tuple[Bound, ...] = ()
    expressions: tuple[str, ...] = ()
    """The expressions as typed (for titles)."""

    def matches(self, record: Mapping[str, Any]) -> bool:
        return all(_holds(condition, record) for condition in self.conditions)

    def __bool__(self) -> bool:
        return bool(self.conditions)


EXAMPLES = "e.g. --where 'gdp>2000' --where vats_pilot --where 'not qflp_pilot'"


class MalformedError(UsageError):
    def __init__(self, expression: str, column: int, problem: str, *, examples: bool = True) -> None:
        super().__init__(
            f"malformed --where '{expression}' at column {column}: {problem}", hint=EXAMPLES if examples else None
        )


def tokens(expression: str) -> list[Token]:
    found: list[Token] = []
    for match in re.finditer(_TOKEN, expression, re.VERBOSE):
        column = match.start(match.lastgroup or 0) + 1
        bad = match.group("bad")
        if bad is not None:
            raise MalformedError(expression, column, "a quote is not closed" if bad in "'\"" else f"unexpected '{bad}'")
        if match.group("op") is not None:
            found.append(Token("op", "=" if match.group("op") == "==" else match.group("op"), column))
        elif match.group("word") is not None:
            found.append(Token("word", match.group("word"), column))
        elif match.lastgroup in ("dq", "sq"):
            found.append(Token("quoted", match.group(match.lastgroup), column))
    return found


def parse(expression: str) -> list[Condition]:
    """The conditions of one expression; MalformedError (exit 2) saying where it is wrong."""
    found = tokens(expression)
    if not found:
        raise MalformedError(expression, 1, "empty expression")
    conditions: list[Condition] = []
    position = 0
    while True:
        condition, position = _condition(expression, found, position)
        conditions.append(condition)
        if position == len(found):
            return conditions
        token = found[position]
        if token.kind != "word" or token.text.casefold() != "and":
            raise MalformedError(expression, token.column, f"expected 'and' before '{token.text}'")
        position += 1
        if position == len(found):
            raise MalformedError(expression, len(expression) + 1, "a condition is missing after 'and'")


def _condition(expression: str, found: list[Token], position: int) -> tuple[Condition, int]:
    token = found[position]
    if token.kind == "word" and token.text.casefold() == "not":
        if position + 1 == len(found) or found[position + 1].kind != "word":
            column = found[position + 1].column if position + 1 < len(found) else len(expression) + 1
            raise MalformedError(expression, column, "expected a yes/no field name after 'not'")
        name = found[position + 1]
        if position + 2 < len(found) and found[position + 2].kind == "op":
            raise MalformedError(
                expression, found[position + 2].column, "'not' takes a yes/no field; use != to negate a comparison"
            )
        return Condition(name.text, None, None, negated=True, column=name.column), position + 2
    if token.kind != "word":
        raise MalformedError(expression, token.column, f"expected a field name, not '{token.text}'")
    if position + 1 == len(found) or found[position + 1].kind != "op":
        return Condition(token.text, None, None, column=token.column), position + 1
    operator = found[position + 1]
    if position + 2 == len(found) or found[position + 2].kind == "op":
        column = found[position + 2].column if position + 2 < len(found) else len(expression) + 1
        raise MalformedError(expression, column, f"expected a value after '{operator.text}'")
    value = found[position + 2]
    op: Operator = operator.text  # type: ignore[assignment]  # the tokenizer yields only OPERATORS
    return Condition(token.text, op, value.text, column=token.column, value_column=value.column), position + 3


def bind(expressions: Sequence[str], fields: Mapping[str, FieldKind]) -> Where:
    """All the expressions (AND) checked against the fields a command knows.

    An unknown field is a NotFoundError naming the closest ones; a value of the wrong
    kind ('gdp>big', 'coastal>1') is a MalformedError at the value's column."""
    bound: list[Bound] = []
    for expression in expressions:
        for condition in parse(expression):
            name = lookup("field", condition.field, list(fields))
            bound.append(_bind_one(expression, condition, name, fields[name]))
    return Where(tuple(bound), tuple(expressions))


def _bind_one(expression: str, condition: Condition, name: str, kind: FieldKind) -> Bound:
    def wrong(problem: str, *, at_value: bool = True) -> MalformedError:
        column = condition.value_column if at_value else condition.column
        return MalformedError(expression, column, problem, examples=False)

    if condition.operator is None:
        if kind != "flag":
            verb = "compare it, e.g. 'gdp>2000'" if kind == "number" else f"give a value, e.g. '{name}=...'"
            raise wrong(f"'{name}' is not a yes/no field: {verb}", at_value=False)
        return Bound(name, "=", not condition.negated)
    text = condition.value or ""
    operator = condition.operator
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise wrong(f"'{name}' is a number: '{text}' is not")
        return Bound(name, operator, number)
    if kind == "date":
        if not re.fullmatch(_DATE, text):
            raise wrong(f"'{name}' is a date: give YYYY, YYYY-MM or YYYY-MM-DD, not '{text}'")
        return Bound(name, operator, _DatePrefix(text))
    if operator not in ("=", "!="):
        raise wrong(f"'{name}' can only be compared with = or != ('{operator}' needs a number field)", at_value=False)
    if kind == "flag":
        word = text.casefold()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise wrong(f"'{name}' is yes or no, not '{text}'")
        return Bound(name, operator, word in TRUE_WORDS)
    return Bound(name, operator, text)


def field_value(record: Mapping[str, Any], name: str) -> Any:
    """A record's value for a field: a figure object gives its `value`; None when missing."""
    value = record.get(name)
    if isinstance(value, Mapping):
        return value.get("value")
    return value


def _holds(condition: Bound, record: Mapping[str, Any]) -> bool:
    value = field_value(record, condition.field)
    if value is None:
        return False  # missing never matches, whatever the operator
    wanted = condition.value
    if isinstance(wanted, bool):
        equal = bool(value) == wanted
        return equal if condition.operator == "=" else not equal
    if isinstance(wanted, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return _compare(float(value), condition.operator, wanted)
    if isinstance(wanted, _DatePrefix):
        return _compare_dates(str(value), condition.operator, wanted)
    if isinstance(value, list | tuple):
        equal = any(str(item).casefold() == wanted.casefold() for item in value)
    else:
        equal = str(value).casefold() == wanted.casefold()
    return equal if condition.operator == "=" else not equal


def _compare(left: float, operator: Operator, right: float) -> bool:
    if operator == ">":
        return left > right
    if operator == ">=":
        return left >= right
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    if operator == "=":
        return left == right
    return left != right


def _compare_dates(iso: str, operator: Operator, prefix: str) -> bool:
    """Dates compare as ISO text cut to the precision given: joined>=2022 is 2022 or later."""
    head = iso[: len(prefix)]
    if operator in ("=", "!="):
        return (head == prefix) == (operator == "=")
    return _compare_text(head, operator, prefix)


def _compare_text(left: str, operator: Operator, right: str) -> bool:
    if operator == ">":
        return left > right
    if operator == ">=":
        return left >= right
    if operator == "<":
        return left < right
    return left <= right
