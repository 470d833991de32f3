"""pilot: explore the cities of China's pilot programme for opening up services."""

from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from types import FrameType

__version__ = "0.2.0"


def main() -> NoReturn:
    """Console entry point. Imports the CLI inside a guard so that Ctrl-C while
    starting up exits quietly with 130, like Ctrl-C at any other moment.

    SIGTERM and SIGHUP unwind the call like Ctrl-C (a file being written is removed),
    then pilot ends by the same signal, so that its parent sees what happened.
    """
    import gc

    # No cyclic garbage collection: a call builds its modules, dataset and output, all alive
    # until it ends, so the collector's passes over them find next to nothing (peak memory is
    # the same with and without) and cost 16 M instructions on `list --json`, 6% of a Typer
    # hello-world, and 40% of the CPU time of `rank --json` on 10,000 cities (bench/README.md).
    gc.disable()
    import os
    import signal
    import sys

    from pilotcli.errors import Terminated

    def terminate(number: int, frame: "FrameType | None") -> None:
        for ignored in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(ignored, signal.SIG_IGN)  # a second signal must not cut the clean-up short
        raise Terminated(number)

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, terminate)
    try:
        from pilotcli.cli import run

        status = run(sys.argv[1:])
    except KeyboardInterrupt:
        status = 130
    except Terminated as terminated:
        signal.signal(terminated.signal_number, signal.SIG_DFL)
        os.kill(os.getpid(), terminated.signal_number)
        status = 128 + terminated.signal_number  # only if the signal did not end the process
    _finish(status)


def _finish(status: int) -> "NoReturn":
    """End the process now that the command is done and its output flushed.

    Tearing the interpreter down module by module costs about a tenth of a warm call
    (bench/README.md) and does nothing pilot needs: its files are closed and its
    temporary files removed by the command itself. A stdout that cannot take the last
    of the output makes a successful call exit 1, as at any other moment.
    """
    import contextlib
    import os
    import sys

    try:
        if sys.stdout is not None:  # None when pilot was started with stdout closed
            sys.stdout.flush()
    except (OSError, ValueError):
        status = status or 1
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stderr.flush()  # a failing stderr never changes the status
    os._exit(status)
