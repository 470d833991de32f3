"""The command line: parse options, call the core, render, exit. Nothing more."""

# No `from __future__ import annotations` here: Typer would have to eval every
# string annotation of every command on each call, which costs ~10 ms per run.

import errno
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from pilotcli import __version__
from pilotcli.errors import ExitStatus, PilotError
from pilotcli.render import Format

COMMANDS: dict[str, Callable[..., None]] = {}
"""Every command, by name, in the order of the help; `build_app` registers them with Typer."""

CommandFunction = TypeVar("CommandFunction", bound=Callable[..., None])


EXTRA_ARGUMENTS: set[str] = set()
"""Commands that read surplus arguments themselves (ctx.args), to say what was meant."""


def command(name: str, *, extra_arguments: bool = False) -> Callable[[CommandFunction], CommandFunction]:
    def record(function: CommandFunction) -> CommandFunction:
        COMMANDS[name] = function
        if extra_arguments:
            EXTRA_ARGUMENTS.add(name)
        return function

    return record


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
    of them. A call runs one command, so `run` registers only that one when the
    arguments name it (see `_named_command`).
    """
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
    for name, function in COMMANDS.items():
        if only is None or name == only:
            settings = {"allow_extra_args": True} if name in EXTRA_ARGUMENTS else None
            app.command(name, context_settings=settings)(function)
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


FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", metavar="FORMAT", help="table, json, jsonl, csv or markdown.", case_sensitive=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Shortcut for --format json.")]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        metavar="FIELD,...",
        help="JSON keys to keep, in this order; in tables, the columns to show ('pilot help fields' lists them).",
        autocompletion=complete_field,
    ),
]
FlatOpt = Annotated[
    bool,
    typer.Option(
        "--flat", help="csv and jsonl: one column per field, a figure's value only (units: pilot schema --flat)."
    ),
]
WideOpt = Annotated[bool, typer.Option("--wide", help="Tables: every column the terminal can take.")]
BomOpt = Annotated[bool, typer.Option("--bom", help="Start CSV with a UTF-8 byte-order mark (for spreadsheets).")]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colour in tables (also: NO_COLOR, TERM=dumb).")]
NoPagerOpt = Annotated[
    bool, typer.Option("--no-pager", help="Print straight to the terminal, even when taller than the screen.")
]

SectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sector",
        "-s",
        metavar="SECTOR",
        help=f"{SECTORS}, or a sector's name or alias; several (comma or repeat): any of them.",
        autocompletion=complete_sector,
    ),
]
AllSectorsOpt = Annotated[bool, typer.Option("--all-sectors", help="With several --sector: cities with all of them.")]
RegionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        "-r",
        metavar="REGION",
        help="east, central, west or northeast (东部 ...); several: any of them.",
        autocompletion=complete_region,
    ),
]
CoastalOpt = Annotated[bool | None, typer.Option("--coastal/--inland", help="Only coastal or only inland cities.")]
BatchOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--batch",
        "-b",
        metavar="YEAR",
        help="Batch year (2015, 2021, 2022, 2025) or number 1-4; repeatable.",
        autocompletion=complete_batch,
    ),
]
ProvinceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--province",
        "-p",
        metavar="PROVINCE",
        help="Province, in English or Chinese (广东); repeatable.",
        autocompletion=complete_province,
    ),
]
FtzOpt = Annotated[bool | None, typer.Option("--ftz/--no-ftz", help="Only cities with (or without) a free trade zone.")]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="EXPR",
        help=(
            "Keep cities whose values match EXPR, in the JSON's units: 'gdp>2000', 'gfci_rank<=10', "
            "'region=east', 'vats_pilot', 'not vats_pilot'; repeat for AND. A missing value never matches."
        ),
    ),
]
MeasureOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--measure",
        "-m",
        metavar="ID",
        help="Keep the cities where this opening measure applies ('pilot measures' lists them); repeat for AND.",
        autocompletion=complete_measure,
    ),
]
SortOpt = Annotated[
    str | None,
    typer.Option(
        "--sort",
        metavar="FIELD",
        help="Sort by a field: name, joined, gdp, gfci_rank ... ('pilot help fields' lists them).",
        autocompletion=complete_field,
    ),
]
DescOpt = Annotated[bool, typer.Option("--desc", help="Sort in descending order.")]
YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year",
        metavar="YEAR",
        help=(
            "The yearly figures (population, GDP, growth, services share, FDI) of YEAR; "
            "default: each figure's latest year. Ranks, counts and flags keep their edition."
        ),
    ),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-n", min=0, metavar="N", help="Show at most N cities.")]


def _catalog(ctx: typer.Context) -> Any:
    from pilotcli import cache
    from pilotcli.dataset import load

    cache.notice = _report  # why a cache folder is not used: one line, once
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


def _city_filter(
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


def _output(
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
    tty = _stdout_is_a_terminal()
    # no-color.org: a non-empty NO_COLOR turns colour off; FORCE_COLOR=0 does not force it on.
    forced = os.environ.get("FORCE_COLOR", "") not in ("", "0")
    color = (tty or forced) and not no_color and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    width = terminal_size()[0]
    options = OutputOptions(
        format=chosen, fields=selected, bom=bom, color=color, width=max(width, 40), pretty=tty, flat=flat
    )
    return options._replace(pager=tty and not no_pager and chosen in (Format.table, Format.markdown))


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


def _emit(view: Any, options: Any) -> None:
    from pilotcli.render import render

    if _as_of:  # every table's footer says how current the data is
        options = options._replace(as_of=_as_of[-1])

    text = render(view, options)
    if options.format in (Format.table, Format.markdown):
        for note in view.notes:
            _report(note)
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


def _stdout_is_a_terminal() -> bool:
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


# --- Commands ----------------------------------------------------------------------------------


@command("list")
def list_command(
    ctx: typer.Context,
    sector: SectorOpt = None,
    all_sectors: AllSectorsOpt = False,
    region: RegionOpt = None,
    coastal: CoastalOpt = None,
    batch: BatchOpt = None,
    province: ProvinceOpt = None,
    ftz: FtzOpt = None,
    where: WhereOpt = None,
    measure: MeasureOpt = None,
    sort: SortOpt = None,
    desc: DescOpt = False,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    wide: WideOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    year: YearOpt = None,
) -> None:
    """List pilot cities, filtered and sorted.

    Examples:

    \b
      pilot list --sector healthcare --coastal
      pilot list --region west --sort gdp --desc
      pilot list --province 广东 --fields id,gdp --json
    """
    from pilotcli import query, views

    options = _output(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = _catalog(ctx).at_year(year)
    city_filter = _city_filter(catalog, sector, all_sectors, region, coastal, batch, province, ftz, where, measure)
    cities = query.list_cities(catalog, city_filter, sort, desc, limit)
    sort_field = query.resolve_field(catalog, sort) if sort else None
    tested = tuple(condition.field for condition in city_filter.where.conditions) if city_filter.where else ()
    _emit(views.list_view(catalog, cities, sort_field, wide=wide, tested=tested), options)


@command("show", extra_arguments=True)
def show_command(
    ctx: typer.Context,
    city: Annotated[
        str, typer.Argument(metavar="CITY", help="City id, name, Chinese name or alias.", autocompletion=complete_city)
    ],
    sources: Annotated[
        bool, typer.Option("--sources", help="Add the source of every figure and the sources' list.")
    ] = False,
    notes: Annotated[bool, typer.Option("--notes", help="Add the notes on figures and the sectors' evidence.")] = False,
    history: Annotated[
        bool, typer.Option("--history", help="Add the yearly figures' earlier years: one table, indicator by year.")
    ] = False,
    all_: Annotated[
        bool, typer.Option("--all", "-a", help="Add everything: --sources, --notes and --history.")
    ] = False,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    year: YearOpt = None,
) -> None:
    """Show a city on one screen: profile, figures, sectors.

    Examples:

    \b
      pilot show shenzhen
      pilot show 西安 --notes
      pilot show hainan --history
      pilot show "Xi'an" --all --no-pager
    """
    from pilotcli import views

    options = _output(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = _catalog(ctx).at_year(year)
    parts = views.ShowParts(sources=sources or all_, notes=notes or all_, history=history or all_, measures=all_)
    if ctx.args:
        from pilotcli.errors import UsageError

        raise UsageError("show takes one city", hint=f"to compare them: pilot compare {' '.join([city, *ctx.args])}")
    _emit(views.show_view(catalog, catalog.city(city), parts), options)


@command("compare")
def compare_command(
    ctx: typer.Context,
    cities: Annotated[
        list[str],
        typer.Argument(
            metavar="CITY...", help="2 to 6 cities: ids, names or Chinese names.", autocompletion=complete_city
        ),
    ],
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="CITY",
            help="Measure the differences from this city (default: the first).",
            autocompletion=complete_city,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    year: YearOpt = None,
) -> None:
    """Compare 2 to 6 cities indicator by indicator.

    The best value is starred; differences are the first city's value (or --base's) minus each
    other city's, and as % of it.

    Examples:

    \b
      pilot compare shenzhen hefei
      pilot compare beijing shanghai shenzhen guangzhou
      pilot compare 北京 上海 --format csv
    """
    from pilotcli import compare, views

    options = _output(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = _catalog(ctx).at_year(year)
    chosen = [catalog.city(name) for name in cities]
    comparison = compare.compare(catalog, chosen, catalog.city(base) if base is not None else None)
    _emit(views.compare_view(catalog, comparison), options)


class MissingChoice(StrEnum):
    zero = "zero"
    skip = "skip"


PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--sector",
        "-s",
        metavar="SECTOR",
        help=f"Use this sector's preset of indicators and weights: {SECTORS}.",
        autocompletion=complete_sector,
    ),
]
WeightOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--weight",
        "-w",
        metavar="INDICATOR=W",
        help="Set, add or (with 0) drop an indicator: gdp=2,population=0 ('pilot help fields').",
        autocompletion=complete_weight,
    ),
]
MissingOpt = Annotated[
    MissingChoice,
    typer.Option(
        "--missing",
        metavar="skip|zero",
        help="skip: score a city on the indicators it has (default); zero: a missing value scores 0.",
    ),
]
MinCoverageOpt = Annotated[
    float,
    typer.Option(
        "--min-coverage",
        min=0.0,
        max=1.0,
        metavar="SHARE",
        help="Rank only cities with data for at least this share of the weight (0-1); the others are listed "
        "after them as 'not enough data'.",
    ),
]
InSectorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--in-sector",
        metavar="SECTOR",
        help="Keep only cities with this growth sector (any of several); --sector chooses the preset.",
        autocompletion=complete_sector,
    ),
]


@command("rank")
def rank_command(
    ctx: typer.Context,
    sector: PresetOpt = None,
    weight: WeightOpt = None,
    missing: MissingOpt = MissingChoice.skip,
    min_coverage: MinCoverageOpt = 0.5,
    in_sector: InSectorOpt = None,
    all_sectors: Annotated[
        bool, typer.Option("--all-sectors", help="With several --in-sector: cities with all of them.")
    ] = False,
    region: RegionOpt = None,
    coastal: CoastalOpt = None,
    batch: BatchOpt = None,
    province: ProvinceOpt = None,
    ftz: FtzOpt = None,
    where: WhereOpt = None,
    measure: MeasureOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show every indicator's points per city.")] = False,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    wide: WideOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    year: YearOpt = None,
) -> None:
    """Rank cities by a transparent weighted score (0-100).

    Each indicator of the preset (--sector, else gdp, gdp_per_capita and services_share) is scaled
    0-100 over the cities chosen: best 100, worst 0, ranks inverted, yes/no 100 or 0; "not ranked"
    (listed = false) scores 0. A city's coverage is the share of the weight backed by its data. By
    default a city is scored on the indicators it has (weighted mean of their points); a city with
    coverage under --min-coverage (0.5) is not ranked and is listed after the others as "not enough
    data" (rank null in JSON). --missing zero scores a missing value 0 instead. Ties by city id.

    Examples:

    \b
      pilot rank --sector finance --explain
      pilot rank --weight gdp=2,population=1 --limit 5
      pilot rank --sector healthcare --region east --coastal
    """
    from pilotcli import query, rank, views

    options = _output(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = _catalog(ctx).at_year(year)
    sector_id = catalog.sector(sector).id if sector is not None else None
    weights = rank.weights_for(catalog, sector_id, rank.parse_weights(each(weight)))
    city_filter = _city_filter(catalog, in_sector, all_sectors, region, coastal, batch, province, ftz, where, measure)
    ranked = rank.rank(catalog, query.select(catalog, city_filter), weights, missing.value, min_coverage)
    shown = ranked if limit is None else ranked[:limit]
    preset = f"{sector_id} preset" if sector_id else "default preset"
    title = " · ".join(
        [
            f"Ranking: {preset}" + (" (weights changed)" if weight else ""),
            *([f"{year} figures"] if year is not None else []),
            *query.describe(catalog, city_filter),
        ]
    )
    setup = views.RankSetup(weights, missing.value, min_coverage, title)
    _emit(views.rank_view(catalog, shown, ranked, setup, explain, wide), options)


@command("sectors")
def sectors_command(
    ctx: typer.Context,
    sector: Annotated[
        str | None,
        typer.Argument(
            metavar="[SECTOR]",
            help=f"List this sector's cities and the evidence: {SECTORS}.",
            autocompletion=complete_sector,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the growth sectors, or one sector's cities.

    Examples:

    \b
      pilot sectors
      pilot sectors healthcare
      pilot sectors finance --json
    """
    from pilotcli import views

    options = _output(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = _catalog(ctx)
    view = views.sector_view(catalog, catalog.sector(sector).id) if sector else views.sectors_view(catalog)
    _emit(view, options)


@command("regions")
def regions_command(
    ctx: typer.Context,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Summarise the four NBS macro-regions.

    Examples:

    \b
      pilot regions
      pilot regions --json
    """
    from pilotcli import views

    options = _output(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    _emit(views.regions_view(_catalog(ctx)), options)


@command("sources")
def sources_command(
    ctx: typer.Context,
    source: Annotated[
        str | None,
        typer.Argument(metavar="[SOURCE]", help="A source id (d31 or [d31]): show it with its URL and what cites it."),
    ] = None,
    city: Annotated[
        str | None,
        typer.Option(
            "--city", "-c", metavar="CITY", help="Only the sources this city cites.", autocompletion=complete_city
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", "-k", metavar="KIND", help=f"Only sources of this kind: {SOURCE_KINDS}."),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the sources of the data, or show one.

    Each with its title, publisher, kind, date and what cites it. On a terminal, titles and URLs
    are links.

    Examples:

    \b
      pilot sources --city shenzhen
      pilot sources d31
      pilot sources --kind official-statistics --json
    """
    from pilotcli import sources, views
    from pilotcli.errors import UsageError

    options = _output(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = _catalog(ctx)
    if source is not None:
        if city is not None or kind is not None:
            raise UsageError("--city and --kind filter the list; give a source id or filters, not both")
        found, cited = sources.source(catalog, source)
        _emit(views.source_view(sources.source_record(found, cited), options.width), options)
        return
    chosen_city = catalog.city(city) if city is not None else None
    chosen = sources.select_sources(catalog, city=chosen_city, kind=kind)
    records = [sources.source_record(s, cited) for s, cited in chosen]
    title = " · ".join(
        ["Sources", *([f"cited for {chosen_city.name}"] if chosen_city else []), *([f"kind {kind}"] if kind else [])]
    )
    _emit(views.sources_view(records, f"{title}: {len(records)}"), options)


@command("measures")
def measures_command(
    ctx: typer.Context,
    measure: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="A measure's id: show it with its cities, document and sources.",
            autocompletion=complete_measure,
        ),
    ] = None,
    sector: Annotated[
        list[str] | None,
        typer.Option(
            "--sector",
            "-s",
            metavar="SECTOR",
            help=f"{SECTORS}, or a sector's name or alias; several (comma or repeat): measures in any of them.",
            autocompletion=complete_sector,
        ),
    ] = None,
    city: Annotated[
        str | None,
        typer.Option(
            "--city",
            "-c",
            metavar="CITY",
            help="Only measures that apply in this city (those for every pilot area included).",
            autocompletion=complete_city,
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            "-k",
            metavar="KIND",
            help="equity-cap, new-business, pilot-programme, facilitation, rule-alignment or legal-adjustment.",
            autocompletion=complete_measure_kind,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DATE", help="Only measures issued on or after DATE (YYYY, YYYY-MM, YYYY-MM-DD)."
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="in-force, to-be-studied, national or ended.",
            autocompletion=complete_measure_status,
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            metavar="WORDS",
            help="Only measures whose id, titles, summary, document, zone or note contain WORDS "
            "as typed (case ignored).",
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            metavar="EXPR",
            help="Only measures that apply in at least one city whose values match EXPR ('gdp>2000', "
            "'region=east', 'not vats_pilot'; as for list); repeat for AND.",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields",
            metavar="FIELD,...",
            help="Keys to keep, in this order (id, title, date, sectors, kind, scope, applies_to, status, "
            "source ...); in tables, the columns to show.",
        ),
    ] = None,
    flat: FlatOpt = False,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the opening measures (what is open, where), or show one.

    A measure for every pilot area (or every qualifying one) applies in every city. With --city
    and --where, one city must meet both. Give an ID to see one measure in full.

    Examples:

    \b
      pilot measures --sector healthcare --city shenzhen
      pilot measures --kind equity-cap --since 2024 --json
      pilot measures vats-pilot-2024
    """
    from pilotcli import measures, views
    from pilotcli.errors import UsageError

    options = _output(fmt, json_, fields, bom, no_color, flat, no_pager=no_pager)
    catalog = _catalog(ctx)
    if measure is not None:
        given = [sector, city, kind, since, status, search, where]
        if any(value is not None for value in given):
            raise UsageError("the options filter the list; give a measure id or filters, not both")
        record = measures.measure_detail(catalog, measures.find(catalog, measure))
        _emit(views.measure_view(catalog, record, options.width), options)
        return
    chosen = measures.build_filter(
        catalog, sectors=each(sector), city=city, kind=kind, since=since, status=status, search=search, where=where
    )
    records = [measures.measure_record(catalog, m) for m in measures.select_measures(catalog, chosen)]
    title = " · ".join(["Measures", *measures.describe(catalog, chosen)])
    _emit(views.measures_view(catalog, records, f"{title}: {len(records)}"), options)


@command("validate")
def validate_command(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(metavar="[FILE]", help="Dataset file (default: --data, PILOT_DATA or the shipped one)."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Check a dataset file and list every problem.

    Examples:

    \b
      pilot validate my-cities.toml
      pilot validate --json
    """
    from pilotcli.loading import shipped_dataset_path
    from pilotcli.render.text import render_json
    from pilotcli.validation import validate_file

    file = path or ctx.find_root().params.get("data") or shipped_dataset_path()
    problems = validate_file(Path(file))
    if json_:
        write_stdout(
            render_json(
                pretty=_stdout_is_a_terminal(),
                data={
                    "path": str(file),
                    "valid": not problems,
                    "problems": [
                        {"line": p.line, "column": p.column, "city": p.city, "field": p.field, "message": p.message}
                        for p in problems
                    ],
                },
            )
        )
    else:
        from pilotcli.view import clean

        write_stdout("".join(clean(str(p)) + "\n" for p in problems), people=True)
        if problems:
            _report(f"{file}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
        else:
            _report(f"{file}: valid")
    if problems:
        raise typer.Exit(int(ExitStatus.DATA_ERROR))


class ExportFormat(StrEnum):
    toml = "toml"
    json = "json"
    csv = "csv"


@command("export")
def export_command(
    ctx: typer.Context,
    sector: SectorOpt = None,
    all_sectors: AllSectorsOpt = False,
    region: RegionOpt = None,
    coastal: CoastalOpt = None,
    batch: BatchOpt = None,
    province: ProvinceOpt = None,
    ftz: FtzOpt = None,
    where: WhereOpt = None,
    measure: MeasureOpt = None,
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", metavar="FORMAT", help="toml (a complete dataset), json or csv.")
    ] = (ExportFormat.toml),
    output: Annotated[
        # A string, not a Path: Path("out/") drops the slash that says "a folder".
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it is a regular file or a symbolic link.")
    ] = False,
    bom: BomOpt = False,
    flat: Annotated[
        bool, typer.Option("--flat", help="csv: one column per field, a figure's value only (pilot schema --flat).")
    ] = False,
    year: YearOpt = None,
) -> None:
    """Export the (filtered) dataset as TOML, JSON or CSV.

    Examples:

    \b
      pilot export --region west -o west.toml
      pilot export --format csv --bom -o cities.csv
      pilot --data west.toml list
    """
    from pilotcli import export, query
    from pilotcli.errors import UsageError
    from pilotcli.render import flatten
    from pilotcli.render.text import render_csv

    if flat and fmt is not ExportFormat.csv:
        raise UsageError("--flat applies to csv export", hint="add --format csv")
    if year is not None and fmt is not ExportFormat.csv:
        from pilotcli.errors import UsageError

        raise UsageError("--year applies to --format csv", hint="the TOML and JSON exports carry every year (history)")
    catalog = _catalog(ctx).at_year(year)
    city_filter = _city_filter(catalog, sector, all_sectors, region, coastal, batch, province, ftz, where, measure)
    cities = query.select(catalog, city_filter)
    if fmt is ExportFormat.toml:
        text = export.to_toml(export.subset(catalog, cities))
    elif fmt is ExportFormat.json:
        text = export.to_json(export.subset(catalog, cities))
    else:
        records = [query.city_record(catalog, city) for city in cities]
        if flat:
            text = render_csv(flatten(records, list(catalog.indicators)), fields=query.field_names(catalog))
        else:
            text = render_csv(records, fields=query.field_names(catalog), figure_keys=list(catalog.indicators))
    if output is None:
        write_stdout(("\ufeff" if bom and fmt is ExportFormat.csv else "") + text)
    else:
        note = export.write_atomic(output, text, force=force, bom=bom and fmt is ExportFormat.csv)
        _report(f"wrote {len(cities)} cities to {output}" + (f"; {note}" if note else ""))


@command("schema")
def schema_command(
    ctx: typer.Context,
    output_format: Annotated[
        bool, typer.Option("--output-format", help="The schema of the JSON output instead of the dataset file.")
    ] = False,
    flat: Annotated[
        bool,
        typer.Option("--flat", help="The schema of a --flat row (list, export): every field with its unit."),
    ] = False,
) -> None:
    """Print the JSON Schema of the dataset or the output.

    Examples:

    \b
      pilot schema > cities.schema.json
      pilot schema --output-format > pilot-output.schema.json
    """
    from pilotcli import contract
    from pilotcli.render.text import render_json

    if flat:
        schema = contract.flat_schema(_catalog(ctx))
    else:
        schema = contract.output_schema() if output_format else contract.dataset_schema()
    write_stdout(render_json(schema, pretty=_stdout_is_a_terminal()))


# --- Pictures: map and timeline --------------------------------------------------------------


class MapBy(StrEnum):
    batch = "batch"
    region = "region"


@command("map")
def map_command(
    ctx: typer.Context,
    sector: SectorOpt = None,
    all_sectors: AllSectorsOpt = False,
    region: RegionOpt = None,
    coastal: CoastalOpt = None,
    batch: BatchOpt = None,
    province: ProvinceOpt = None,
    ftz: FtzOpt = None,
    where: WhereOpt = None,
    measure: MeasureOpt = None,
    by: Annotated[
        MapBy,
        typer.Option(
            "--by", metavar="batch|region", help="Colour the cities by batch or by NBS region.", case_sensitive=False
        ),
    ] = MapBy.batch,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Draw the pilot cities on a map, by batch or region.

    Examples:

    \b
      pilot map
      pilot map --by region --coastal
      pilot map --sector finance
    """
    from pilotcli import pictures, query

    options = _output(fmt, json_, fields, bom, no_color, no_pager=no_pager)
    catalog = _catalog(ctx)
    city_filter = _city_filter(catalog, sector, all_sectors, region, coastal, batch, province, ftz, where, measure)
    cities = query.list_cities(catalog, city_filter)
    # The terminal's height where the map is seen (a terminal, else LINES); else it takes any height.
    height = terminal_size()[1] if terminal() is not None or os.environ.get("LINES", "").isdigit() else None
    _emit(pictures.map_view(catalog, cities, by.value, options.width, height), options)


@command("timeline")
def timeline_command(
    ctx: typer.Context,
    measures: Annotated[
        bool, typer.Option("--measures", help="Add the opening measures on the dates their documents were issued.")
    ] = False,
    fmt: FormatOpt = Format.table,
    json_: JsonOpt = False,
    fields: FieldsOpt = None,
    bom: BomOpt = False,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
) -> None:
    """Show how the programme grew, batch by batch.

    Examples:

    \b
      pilot timeline
      pilot timeline --measures
      pilot timeline --measures --json
    """
    from pilotcli import pictures

    options = _output(fmt, json_, fields, bom, no_color, no_pager=no_pager)
    _emit(pictures.timeline_view(_catalog(ctx), options.width, measures=measures), options)


# --- Help and completion -----------------------------------------------------------------------


@command("help")
def help_command(
    topic: Annotated[
        str | None, typer.Argument(metavar="[COMMAND]", help="A command, or 'fields' for the fields' names.")
    ] = None,
) -> None:
    """Show the help of pilot or of one command.

    Examples:

    \b
      pilot help
      pilot help rank
      pilot help fields
    """
    if topic == "fields":
        write_stdout(fields_help())
        return
    if topic is not None and topic not in COMMANDS:
        from pilotcli.names import lookup

        lookup("command", topic, list(COMMANDS))
    raise typer.Exit(run([topic, "--help"] if topic else ["--help"]))


def fields_help() -> str:
    """Every field name (for --fields, --sort, --where, --weight), with what it holds."""
    from pilotcli.dataset import load
    from pilotcli.query import field_names

    catalog = load(None)
    lines = ["Fields for --fields, --sort and --where (indicators also for rank --weight):", ""]
    for name in field_names(catalog):
        info = catalog.indicators.get(name)
        lines.append(f"  {name:<24} {info.name} ({info.unit})" if info else f"  {name}")
    return "\n".join(lines) + "\n"


class Shell(StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


@command("completion")
def completion_command(
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.", case_sensitive=False)],
) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Examples:

    \b
      pilot completion bash >> ~/.bashrc
      pilot completion zsh > "${fpath[1]}/_pilot"
      pilot completion fish > ~/.config/fish/completions/pilot.fish
    """
    from typer._completion_shared import get_completion_script

    write_stdout(get_completion_script(prog_name="pilot", complete_var="_PILOT_COMPLETE", shell=shell.value))


# --- The error boundary -------------------------------------------------------------------------


def _report(message: str) -> None:
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
        _report(error.message)
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
        _report(error.message + (f"; {error.hint}" if error.hint else ""))
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
            _report(message if complete else f"{message}; see '{command} --help'")
            return exit_code
        if type(error).__name__ == "Abort":
            return int(ExitStatus.INTERRUPTED)
        if isinstance(error, OSError) and error.errno in _WRITE_ERRORS:
            # The option parser could not write the help (pilot's own code turns every
            # failure of its files into a DataError, so this one is about the output).
            raise OutputError(f"cannot write the output: {error.strerror or error}") from None
        if os.environ.get("PILOT_DEBUG"):
            raise
        _report(f"internal error: {type(error).__name__}: {error} (a bug; PILOT_DEBUG=1 shows the traceback)")
        return int(ExitStatus.INTERNAL_ERROR)
    return status if isinstance(status, int) else int(ExitStatus.OK)
