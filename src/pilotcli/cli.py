"""The command line: parse options, call the core, render, exit. Nothing more."""

# No `from __future__ import annotations` here: Typer would have to eval every
# string annotation of every command on each call, which costs ~10 ms per run.

import errno
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from pilotcli import __version__
from pilotcli.errors import ExitStatus, PilotError
from pilotcli.render import Format

COMMANDS = (
    "list",
    "show",
    "compare",
    "rank",
    "sectors",
    "regions",
    "sources",
    "measures",
    "validate",
    "export",
    "schema",
    "map",
    "timeline",
    "help",
    "completion",
)
"""Every command, in the order of the help. Each is the function `command` of the module
pilotcli.commands.NAME, imported only when `build_app` registers it with Typer."""

EXTRA_ARGUMENTS = frozenset({"show"})
"""Commands that read surplus arguments themselves (ctx.args), to say what was meant."""


TOP_HELP = """Explore the 20 areas of China's Comprehensive Pilot Program for Expanding the Opening-Up of \
the Service Industry (服务业扩大开放综合试点): figures, sectors, rankings, maps.

Start here:

\b
  pilot list                             the 20 cities: people, GDP, sectors
  pilot show shenzhen                    one city on one screen
  pilot compare beijing shanghai         cities side by side
  pilot rank --sector finance --explain  a score you can check, point by point
  pilot help rank                        a command's options and examples

Tables fit the terminal (piped: the terminal on stderr or /dev/tty, else COLUMNS, else 80); \
taller than it, they go through $PILOT_PAGER, $PAGER or less -FRX (--no-pager prints them).
"""


def _help_in_words() -> None:
    """Three changes to how Typer's vendored Click writes the help, made once per call.

    - Wrap by terminal cells, a Chinese character counting two: Click measures with len(),
      so each wide character is followed by a zero-width space while wrapping (it then
      counts two and is never split from it), taken out again after.
    - A required argument is CITY in the usage line, not {CITY}.
    - A number's range in words: "at least 0", "0 to 1", not x>=0.
    """
    import unicodedata

    from typer import core
    from typer._click import _textwrap, types

    if getattr(_textwrap.TextWrapper, "by_cells", False):
        return

    class CellWrapper(_textwrap.TextWrapper):
        by_cells = True

        def wrap(self, text: str) -> list[str]:
            self.break_on_hyphens = False  # a value such as law-or-consultancy stays whole
            wide = "".join(c + "\u200b" if unicodedata.east_asian_width(c) in "WF" else c for c in text)
            return [line.replace("\u200b", "") for line in super().wrap(wide)]

    _textwrap.TextWrapper = CellWrapper  # type: ignore[misc]
    make_metavar = core.TyperArgument.make_metavar

    def plain_metavar(self: Any, ctx: Any, *, usage: bool = False) -> str:
        text = make_metavar(self, ctx, usage=usage)
        return text[1:-1] if text.startswith("{") and text.endswith("}") else text

    def range_in_words(self: Any) -> str:
        if self.max is None:
            return f"at least {self.min}"
        return f"at most {self.max}" if self.min is None else f"{self.min:g} to {self.max:g}"

    core.TyperArgument.make_metavar = plain_metavar  # type: ignore[method-assign]
    types._NumberRangeBase._describe_range = range_in_words  # type: ignore[method-assign]


def build_app(only: str | None = None, help_width: int | None = None) -> typer.Typer:
    """The Typer app with every command, or with just the one named `only`.

    Typer turns each registered command, with all its options, into a click command on
    every call: about 3 M instructions a command, a sixth of a bare Typer call for all
    of them. A call runs one command, so `run` registers (and imports the module of) only
    that one when the arguments name it (see `_named_command`).
    """
    from importlib import import_module

    app = typer.Typer(
        name="pilot",
        help=TOP_HELP,
        no_args_is_help=True,
        add_completion=False,  # `pilot completion SHELL` prints the script; Typer's options would repeat it
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={
            "help_option_names": ["-h", "--help"],
            "max_content_width": 120,
            "terminal_width": help_width,
        },
    )
    _help_in_words()
    app.callback()(main_options)
    for name in COMMANDS:
        if only is None or name == only:
            settings = {"allow_extra_args": True} if name in EXTRA_ARGUMENTS else None
            app.command(name, context_settings=settings)(import_module(f"pilotcli.commands.{name}").command)
    return app


def _named_command(argv: list[str]) -> str | None:
    """The command these arguments run, when nothing else needs the other commands.

    Options before the command other than --data (help, version, completion) and
    shell completion itself list or complete all commands: they get None.
    """
    if "_PILOT_COMPLETE" in os.environ:
        return None
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--data":
            next(arguments, None)
        elif not argument.startswith("--data="):
            return argument if argument in COMMANDS else None
    return None


# --- Shell completion -----------------------------------------------------------------


def _completion_catalog(ctx: typer.Context) -> Any:
    from pilotcli.dataset import load

    root = ctx.find_root()
    try:
        return load(root.params.get("data") or os.environ.get("PILOT_DATA") or None)
    except PilotError:
        return None


def _completing() -> None:
    """Ready Typer for a shell's completion request: its completion classes (its own
    --install-completion would have done it), and pilot's matches kept whole: Typer drops each
    that does not start with the text typed, and `She` or `深` complete to shenzhen."""
    from typer import core
    from typer._click.shell_completion import CompletionItem
    from typer._completion_classes import completion_init

    completion_init()
    _zsh_takes_every_match()

    def unfiltered(parameter: Any, *, autocompletion: Callable[..., list[str]] | None = None) -> None:
        if autocompletion is not None:
            function = autocompletion

            def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
                return [CompletionItem(value) for value in function(ctx, [], incomplete)]

            parameter._custom_shell_complete = complete

    core._typer_param_setup_autocompletion_compat = unfiltered  # type: ignore[assignment]


def _zsh_takes_every_match() -> None:
    """zsh keeps only the matches that start with the word typed: `She` or `深` would offer
    nothing. Such matches are added with `compadd -U`, which replaces the word instead."""
    import shlex

    from typer._completion_classes import ZshComplete

    typer_complete = ZshComplete.complete

    def complete(self: Any) -> str:
        _, incomplete = self.get_completion_args()
        values = [item.value for item in self.get_completions(*self.get_completion_args())]
        if incomplete and values and not all(value.startswith(incomplete) for value in values):
            return "compadd -U -- " + " ".join(shlex.quote(value) for value in values)
        return typer_complete(self)

    ZshComplete.complete = complete  # type: ignore[method-assign]


def _matching(incomplete: str, choices: dict[str, list[str]]) -> list[str]:
    """The values (keys) one of whose names starts with what was typed, ignoring case:
    `She` and `深` both complete to shenzhen."""
    typed = incomplete.casefold()
    return [value for value, names in choices.items() if any(n.casefold().startswith(typed) for n in names)]


def _closed_set(kind: str) -> Callable[[typer.Context, str], list[str]]:
    """A completion function for a set of names the dataset closes: cities, sectors, regions ..."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        catalog = _completion_catalog(ctx)
        if catalog is None:
            return []
        head, comma, last = incomplete.rpartition(",")  # a comma list completes its last item
        prefix = head + comma
        return [prefix + value for value in _matching(last, completion_choices(catalog, kind))]

    return complete


def completion_choices(catalog: Any, kind: str) -> dict[str, list[str]]:
    """value -> the names it may be typed as."""
    from pilotcli.query import PROVINCES_ZH, field_names

    data = catalog.dataset
    if kind == "city":
        return {c.id: [c.id, c.name, c.name_zh, *c.aliases] for c in data.cities}
    if kind == "sector":
        return {s.id: [s.id, s.name, s.name_zh, *s.aliases] for s in data.sectors}
    if kind == "region":
        return {r.id: [r.id, r.name, r.name_zh] for r in data.regions}
    if kind == "province":
        chinese = {english: zh for zh, english in PROVINCES_ZH.items()}
        return {p: [p, chinese.get(p, p)] for p in sorted({c.province for c in data.cities})}
    if kind == "batch":
        return {str(b.date.year): [str(b.date.year), str(b.number)] for b in data.program.batches}
    if kind == "weight":
        return {f"{i}=": [i] for i in catalog.indicators}
    if kind == "measure":
        return {m.id: [m.id] for m in data.measures}
    if kind in ("measure kind", "measure status"):
        from pilotcli.measures import KINDS, STATUSES

        return {name: [name] for name in (KINDS if kind == "measure kind" else STATUSES)}
    return {f: [f] for f in field_names(catalog)}


complete_city = _closed_set("city")
complete_sector = _closed_set("sector")
complete_region = _closed_set("region")
complete_province = _closed_set("province")
complete_batch = _closed_set("batch")
complete_field = _closed_set("field")
complete_weight = _closed_set("weight")
complete_measure = _closed_set("measure")
complete_measure_kind = _closed_set("measure kind")
complete_measure_status = _closed_set("measure status")


# --- Shared options ----------------------------------------------------------------------

SECTORS = (
    "finance, healthcare, telecom, education, technology, logistics, trade, culture-tourism, professional-services"
)
"""The shipped dataset's sector ids, for the help (a test keeps them equal to the data)."""


SOURCE_KINDS = (
    "official-statistics, government, regulator, index-publisher, news, law-or-consultancy, secondary, mirror"
)
"""The kinds a source may be, for the help (a test keeps them equal to models.SourceKind)."""


def load_catalog(ctx: typer.Context) -> Any:
    from pilotcli import cache
    from pilotcli.dataset import load

    cache.notice = report  # why a cache folder is not used: one line, once
    catalog = load(ctx.find_root().params.get("data"))
    _as_of.append(catalog.dataset.dataset.as_of.isoformat())
    return catalog


_as_of: list[str] = []
"""The as-of date of the dataset the command loaded (for the tables' footer)."""


def each(values: list[str] | None) -> list[str]:
    """A repeatable option's values, where each may also be a comma list: -s finance,trade."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def _batch_number(text: str) -> int:
    from pilotcli.errors import UsageError

    if not text.isdigit():
        raise UsageError(f"--batch: '{text}' is not a batch year or number", hint="use e.g. --batch 2015 or --batch 1")
    return int(text)


def build_city_filter(
    catalog: Any,
    sector: list[str] | None,
    all_sectors: bool,
    region: list[str] | None,
    coastal: bool | None,
    batch: list[str] | None,
    province: list[str] | None,
    ftz: bool | None,
    where: list[str] | None,
    measure: list[str] | None = None,
) -> Any:
    """The filter that `list`, `export`, `map` and `rank` share, from their options."""
    from pilotcli import query

    return query.build_filter(
        catalog,
        sectors=each(sector),
        all_sectors=all_sectors,
        regions=each(region),
        coastal=coastal,
        batches=[_batch_number(text) for text in each(batch)],
        provinces=each(province),
        ftz=ftz,
        where=where,
        measures=each(measure),
    )


def output_options(
    fmt: Format, json_: bool, fields: str | None, bom: bool, no_color: bool, flat: bool = False, no_pager: bool = False
) -> Any:
    from pilotcli.errors import UsageError
    from pilotcli.render import OutputOptions

    if json_ and fmt not in (Format.table, Format.json):
        raise UsageError(f"--json and --format {fmt.value} ask for two formats", hint="keep one of them")
    chosen = Format.json if json_ else fmt
    selected = tuple(f.strip() for f in fields.split(",") if f.strip()) if fields else ()
    if flat and chosen not in (Format.csv, Format.jsonl):
        raise UsageError("--flat applies to csv and jsonl output", hint="add --format csv or --format jsonl")
    tty = stdout_is_a_terminal()
    # no-color.org: a non-empty NO_COLOR turns colour off; FORCE_COLOR=0 does not force it on.
    forced = os.environ.get("FORCE_COLOR", "") not in ("", "0")
    color = (tty or forced) and not no_color and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = terminal_size()[0]
    pager = tty and not no_pager and chosen in (Format.table, Format.markdown)
    return OutputOptions(
        format=chosen, fields=selected, bom=bom, color=color, width=max(width, 40), pretty=tty, flat=flat, pager=pager
    )


def terminal_size() -> tuple[int, int]:
    """(columns, lines) to draw for: the terminal's, on stdout, else on stderr or /dev/tty (so that
    `pilot show x | less` fits the screen it is read on); with no terminal, COLUMNS and LINES; else
    80 x 24. A terminal beats COLUMNS: an exported COLUMNS goes stale when the window is resized."""
    size = terminal()
    if size is not None:
        return size
    columns, lines = os.environ.get("COLUMNS", ""), os.environ.get("LINES", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else 80
    height = int(lines) if lines.isdigit() and int(lines) > 0 else 24
    return width, height


def terminal() -> tuple[int, int] | None:
    """The size of the terminal on stdout, stderr or /dev/tty, the first there is; None without one.
    (Tests and the scripts that draw the docs replace it, so that COLUMNS decides there.)"""
    for stream in (sys.__stdout__, sys.__stderr__):
        try:
            size = os.get_terminal_size(stream.fileno()) if stream is not None else None
        except (OSError, ValueError):
            continue
        if size is not None and size.columns > 0:
            return size.columns, size.lines or 24
    try:
        with open("/dev/tty", "rb") as tty:
            size = os.get_terminal_size(tty.fileno())
    except OSError:
        return None
    return (size.columns, size.lines or 24) if size.columns > 0 else None


def emit(view: Any, options: Any) -> None:
    from pilotcli.render import render

    if _as_of:  # every table's footer says how current the data is
        options = options.dated(_as_of[-1])

    text = render(view, options)
    if options.format in (Format.table, Format.markdown):
        for note in view.notes:
            report(note)
    if options.pager and text.count("\n") >= terminal_size()[1]:
        page(text)
    else:
        write_stdout(text, people=options.format is Format.table)


def pager_command() -> list[str]:
    """$PILOT_PAGER, else $PAGER, else less (-F: quit if one screen, -R: colours, -X: leave it shown)."""
    import shlex

    chosen = os.environ.get("PILOT_PAGER") or os.environ.get("PAGER") or "less -FRX"
    try:
        return shlex.split(chosen)
    except ValueError:
        return []


def page(text: str) -> None:
    """Show text through the pager; a pager that is missing prints instead, one quit early is fine."""
    import signal
    import subprocess

    command = pager_command()
    environment = {**os.environ, "LESSCHARSET": os.environ.get("LESSCHARSET", "utf-8")}
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=environment)
    except (OSError, IndexError):
        write_stdout(text, people=True)
        return
    # Ctrl-C belongs to the pager (less uses it to stop a search), not to pilot.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert pager.stdin is not None
        with pager.stdin:
            pager.stdin.write(text.encode("utf-8"))
    except (BrokenPipeError, OSError):
        pass
    finally:
        pager.wait()
        signal.signal(signal.SIGINT, previous)


class OutputError(PilotError):
    """Standard output cannot be written: closed, full, or failing."""


class _ReaderGone(Exception):
    """The reader of standard output went away (| head): pilot stops quietly, with success."""


def stdout_is_a_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def write_stdout(text: str, *, people: bool = False) -> None:
    """Write the output and flush it.

    Data (JSON, CSV, TOML, Markdown) is UTF-8 bytes whatever the locale or PYTHONIOENCODING.
    Text for people (tables) is encoded for the stream; a character it cannot carry shows
    as '?' (two for a wide one, so that columns stay aligned) or an ASCII look-alike.
    """
    stream = sys.stdout
    if stream is None:  # started with standard output closed (pilot >&-)
        raise OutputError("cannot write the output: standard output is closed")
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is None:  # not a file (a test's StringIO): text as it is
            stream.write(text)
            stream.flush()
            return
        encoding = (stream.encoding or "utf-8") if people else "utf-8"
        data = text.encode(encoding, errors=_replacement_errors())
        stream.flush()  # anything written as text before goes first
        buffer.write(data)
        buffer.flush()
    except BrokenPipeError:
        raise _ReaderGone from None
    except (OSError, ValueError) as error:  # ValueError: the stream was closed
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise OutputError(f"cannot write the output: {reason}") from None


_STAND_INS = {"─": "-", "━": "-", "│": "|", "★": "*", "—": "-", "·": ".", "…": ".", "█": "#", "◇": "o", "●": "o"}


def _replacement_errors() -> str:
    """The name of a codec error handler for text a stream's encoding cannot carry."""
    import codecs

    def replace(error: UnicodeError) -> tuple[str, int]:
        import unicodedata

        if not isinstance(error, UnicodeEncodeError):
            raise error
        wide = ("W", "F")
        unencodable = error.object[error.start : error.end]
        shown = [_STAND_INS.get(c) or ("??" if unicodedata.east_asian_width(c) in wide else "?") for c in unencodable]
        return "".join(shown), error.end

    name = "pilot-stand-ins"
    try:
        codecs.lookup_error(name)
    except LookupError:
        codecs.register_error(name, replace)
    return name


def _silence(stream: Any) -> None:
    """Point a failed standard stream at /dev/null: Python flushes it again at exit, and a
    failure then would print a traceback-like message and change the exit status."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


# --- Global options ------------------------------------------------------------------------


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        from pilotcli.dataset import load

        try:
            as_of = load(ctx.params.get("data") or os.environ.get("PILOT_DATA") or None).dataset.dataset.as_of
            dated = f", data as of {as_of.isoformat()}"
        except PilotError:
            dated = " (the dataset could not be read: pilot validate says why)"
        write_stdout(f"pilot {__version__}{dated}\n")
        raise typer.Exit()


def main_options(
    # A string, not a Path: Typer's Path type stats the file and raises on a name with a NUL
    # character; pilot itself says why it cannot read a file, with exit 1 (not a usage error).
    data: Annotated[
        str | None,
        typer.Option(
            "--data", envvar="PILOT_DATA", metavar="FILE", help="Dataset file to use instead of the shipped one."
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Explore the cities of China's pilot programme for opening up services."""


# --- The error boundary -------------------------------------------------------------------------


def report(message: str) -> None:
    """One line for people on stderr. A stderr that is closed or fails is given up quietly:
    it must not turn a call that succeeded into a failure."""
    from pilotcli.view import clean

    stream = sys.stderr
    if stream is None:  # started with stderr closed; print() would write to stdout instead
        return
    try:
        stream.write(f"pilot: {clean(message)}\n")
        stream.flush()
    except (OSError, ValueError):
        _silence(stream)


_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF}


def parser_message(error: Exception, message: str) -> tuple[str, bool]:
    """The option parser's message in pilot's voice: lowercase, "no KIND named", one "did you
    mean"; and whether it already says what to type (then no "see --help" follows)."""
    import re

    from pilotcli.names import suggestions

    unknown = re.match(r"No such (option|command):? '?([^'\s]+)'?", message)
    if unknown:
        kind, name = unknown.groups()
        known = list(getattr(error, "possibilities", None) or ()) or (list(COMMANDS) if kind == "command" else [])
        # Compared without the dashes, which every option shares: '--xyz' is not close to '--ftz'.
        bare = {option.lstrip("-"): option for option in known}
        close = suggestions(name.lstrip("-"), list(bare), limit=1)
        if close:
            return f"no {kind} named '{name}'; did you mean '{bare[close[0]]}'?", True
        return f"no {kind} named '{name}'", False
    # Click lists a choice's values on lines of their own after ". Choose from:".
    message = " ".join(message.replace("Value error, ", "").split()).rstrip(".")
    message = message.replace(". Choose from:", ": choose from")
    message = message.replace("is not one of", "is not one of these:").replace(
        "is not in the range", "is out of range:"
    )
    return message[:1].lower() + message[1:], False


def run(argv: list[str]) -> int:
    """Run pilot with these arguments; every error becomes one line on stderr and an exit status."""
    try:
        return _run(argv)
    except _ReaderGone:  # (| head) while writing the help
        _silence(sys.stdout)
        return int(ExitStatus.OK)
    except OutputError as error:
        _silence(sys.stdout)
        report(error.message)
        return int(error.exit_status)


def _run(argv: list[str]) -> int:
    if "_PILOT_COMPLETE" in os.environ:  # the shell asks for completions (the script sets it)
        _completing()
    try:
        # The help takes the width tables take (Click would put COLUMNS before the terminal), at
        # most 120 columns, less the 2 Click leaves free.
        asked = not argv or "--help" in argv or "-h" in argv
        help_width = max(min(terminal_size()[0], 120) - 2, 50) if asked else None
        app = build_app(_named_command(argv), help_width)
        status = app(args=argv, standalone_mode=False, prog_name="pilot")
    except _ReaderGone:
        _silence(sys.stdout)
        return int(ExitStatus.OK)
    except PilotError as error:
        if isinstance(error, OutputError):
            _silence(sys.stdout)
        report(error.message + (f"; {error.hint}" if error.hint else ""))
        return int(error.exit_status)
    except KeyboardInterrupt:
        return int(ExitStatus.INTERRUPTED)
    except BrokenPipeError:  # the help or a parser message, written by the option parser
        _silence(sys.stdout)
        return int(ExitStatus.OK)
    except Exception as error:
        format_message = getattr(error, "format_message", None)
        exit_code = getattr(error, "exit_code", None)
        if callable(format_message) and isinstance(exit_code, int):  # a usage error from the parser
            if type(error).__name__ == "NoArgsIsHelpError":  # plain `pilot`: show the help
                write_stdout(str(format_message()) + "\n", people=True)
                return int(ExitStatus.OK)
            context = getattr(error, "ctx", None)
            command = getattr(context, "command_path", "pilot")
            message, complete = parser_message(error, str(format_message()))
            report(message if complete else f"{message}; see '{command} --help'")
            return exit_code
        if type(error).__name__ == "Abort":
            return int(ExitStatus.INTERRUPTED)
        if isinstance(error, OSError) and error.errno in _WRITE_ERRORS:
            # The option parser could not write the help (pilot's own code turns every
            # failure of its files into a DataError, so this one is about the output).
            raise OutputError(f"cannot write the output: {error.strerror or error}") from None
        if os.environ.get("PILOT_DEBUG"):
            raise
        report(f"internal error: {type(error).__name__}: {error} (a bug; PILOT_DEBUG=1 shows the traceback)")
        return int(ExitStatus.INTERNAL_ERROR)
    return status if isinstance(status, int) else int(ExitStatus.OK)
