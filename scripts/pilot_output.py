"""Run pilot in-process and capture what it prints, for the scripts that document it."""

from __future__ import annotations

import io
import os
import shlex
from contextlib import redirect_stderr, redirect_stdout


def pilot_output(args: list[str], environment: dict[str, str | None]) -> str:
    """stdout of `pilot ARGS` with these environment variables (None: unset) for the call only.

    A failing command stops the calling script: documentation must not show an error.
    """
    from pilotcli import cli

    cli.terminal = lambda: None  # COLUMNS decides, not the terminal the script is run in

    saved = {name: os.environ.get(name) for name in environment}
    for name, value in environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            status = cli.run(args)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if status != 0:
        raise SystemExit(f"pilot {shlex.join(args)} failed ({status}): {err.getvalue().strip()}")
    return out.getvalue()
