"""The small process that starts bench/run.py's timed children, so that their peak memory is their own.

On Linux a child's max RSS (ru_maxrss, from wait4) is at least the RSS high-water mark of the
process that spawned it: exec records the old address space's peak, and a child started with
vfork or posix_spawn shares its spawner's until then. bench/run.py grows as it works, so it
does not spawn the measured children itself: it starts this script first, as
`python -I -S bench/spawner.py` (no site packages, no environment: about 8 MiB), and asks it
to run each child. It serves from a forked child of its own, whose max RSS does not
count the benchmark's (see main). That peak, which bounds what a child could inherit, is
reported so the benchmark can show it is below the smallest child's.

Protocol, on stdin and stdout: each message is 8 bytes of length (little-endian) and a
`marshal` payload. A request is ("run", argv, env, stderr_path, keep_stdout) or ("peak",);
the answers are (wall seconds, cpu seconds, ru_maxrss, exit status, stdout bytes, stdout
or b"") and (ru_maxrss,). ru_maxrss is as the system gives it (KiB on Linux, bytes on macOS).
End of stdin ends the script.
"""

from __future__ import annotations

import marshal
import os
import resource
import time

TYPE_CHECKING = False  # typing itself is not imported: the spawner stays small
if TYPE_CHECKING:
    from typing import Any

CHUNK = 1 << 16


def receive() -> tuple[Any, ...] | None:
    header = read_exact(8)
    if header is None:
        return None
    payload = read_exact(int.from_bytes(header, "little"))
    if payload is None:
        return None
    message = marshal.loads(payload)
    assert isinstance(message, tuple)
    return message


def read_exact(size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = os.read(0, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def send(answer: tuple[Any, ...]) -> None:
    payload = marshal.dumps(answer)
    view = memoryview(len(payload).to_bytes(8, "little") + payload)
    while view:
        view = view[os.write(1, view) :]


def run(argv: list[str], env: dict[str, str], stderr_path: str, keep_stdout: bool) -> tuple[Any, ...]:
    """Run one child: stdin from /dev/null, stdout to a pipe read here, stderr to a file, a session
    of its own (no /dev/tty, so tables take COLUMNS)."""
    read_end, write_end = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, write_end, 1),
        (os.POSIX_SPAWN_OPEN, 2, stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
    ]
    start = time.perf_counter()
    try:
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsid=True)
    except OSError as error:
        os.close(read_end)
        os.close(write_end)
        with open(stderr_path, "w") as errors:
            errors.write(f"cannot run {argv[0]}: {error}\n")
        return (0.0, 0.0, 0, 127, 0, b"")
    os.close(write_end)
    chunks = []
    size = 0
    while chunk := os.read(read_end, CHUNK):
        size += len(chunk)
        if keep_stdout:
            chunks.append(chunk)
    os.close(read_end)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return (wall, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status), size, b"".join(chunks))


def main() -> None:
    # Serve from a forked child: a process's max RSS also counts what it inherited when it was
    # exec'd (the benchmark's peak at that moment); a fork starts a fresh count from this
    # process's current, small RSS. This process only waits for it.
    server = os.fork()
    if server:
        _, status = os.waitpid(server, 0)
        os._exit(os.waitstatus_to_exitcode(status))
    while (message := receive()) is not None:
        if message[0] == "peak":
            send((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,))
        else:
            _, argv, env, stderr_path, keep_stdout = message
            send(run(argv, env, stderr_path, keep_stdout))


if __name__ == "__main__":
    main()
