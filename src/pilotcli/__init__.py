"""pilot: explore the cities of China's pilot programme for opening up services."""

from typing import NoReturn

__version__ = "0.1.0"


def main() -> NoReturn:
    """Console entry point. Imports the CLI inside a guard so that Ctrl-C while
    starting up exits quietly with 130, like Ctrl-C at any other moment."""
    import sys

    try:
        from pilotcli.cli import run

        status = run(sys.argv[1:])
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)
