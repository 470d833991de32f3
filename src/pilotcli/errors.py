"""Domain errors and exit statuses. The CLI turns each into one line on stderr."""

from __future__ import annotations

from collections.abc import Sequence


class ExitStatus:
    """Exit codes of `pilot` (documented in the README). Plain int constants: an IntEnum class
    costs about 1 M instructions to build, on every call."""

    OK = 0
    DATA_ERROR = 1
    """The dataset or a file is bad: unreadable, malformed, invalid; or the data is invalid for `validate`."""
    USAGE_ERROR = 2
    """Bad usage: unknown option, city, sector, region, field or indicator; malformed value."""
    INTERNAL_ERROR = 70
    """A bug in pilot (EX_SOFTWARE); PILOT_DEBUG=1 shows the traceback."""
    INTERRUPTED = 130


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived. Raised from the signal handler that pilot's entry point
    installs, so that, like Ctrl-C, it unwinds the call and removes unfinished files."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number


class PilotError(Exception):
    """Base of every error that `pilot` reports to the user as one line."""

    exit_status: int = ExitStatus.DATA_ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Problem:
    """One thing wrong with a dataset file, located as precisely as possible. A plain class
    with slots, not a NamedTuple (whose class costs about 1 M instructions to build, on every call)."""

    __slots__ = ("city", "column", "field", "line", "message", "path")

    def __init__(
        self,
        path: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        city: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        self.city = city
        self.field = field

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.city is not None:
            parts.append(f"city '{self.city}'")
        if self.field:
            parts.append(f"field '{self.field}'")
        return f"{': '.join(parts)}: {self.message}"


class DataError(PilotError):
    """The dataset file cannot be used. Carries every problem found."""

    exit_status = ExitStatus.DATA_ERROR

    def __init__(self, problems: list[Problem], *, hint: str | None = None) -> None:
        self.problems = problems
        first = str(problems[0])
        more = len(problems) - 1
        if more:
            first += f" (and {more} more problem{'s' if more > 1 else ''}; run 'pilot validate' to list them)"
        super().__init__(first, hint=hint)


class UsageError(PilotError):
    """The user asked for something that does not exist or is malformed."""

    exit_status = ExitStatus.USAGE_ERROR


class NotFoundError(UsageError, LookupError):
    """A city, sector, region, field or indicator name that matches nothing (or too much)."""

    def __init__(
        self,
        kind: str,
        query: str,
        *,
        suggestions: Sequence[str] = (),
        candidates: Sequence[str] = (),
        valid: Sequence[str] = (),
    ) -> None:
        self.kind = kind
        self.query = query
        self.suggestions = list(suggestions)
        self.candidates = list(candidates)
        plural = {"city": "cities", "province": "provinces"}.get(kind, f"{kind}{'es' if kind.endswith('s') else 's'}")
        hints = []
        if self.candidates:
            message = f"'{query}' matches several {plural}: {', '.join(self.candidates)}"
            hints.append("type more of the name")
        else:
            message = f"no {kind} named '{query}'"
            if self.suggestions:
                hints.append(f"did you mean {' or '.join(repr(s) for s in self.suggestions)}?")
        if valid:
            hints.append(f"valid {plural}: {', '.join(valid)}")
        super().__init__(message, hint=" ".join(hints) or None)
