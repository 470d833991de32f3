"""Keep the docs honest: every command documented, README outputs current."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, run_cli
from pilotcli.cli import COMMANDS as REGISTERED

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(REGISTERED)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_an_example_and_is_in_the_readme(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    examples = result.stdout.split("Examples:")[1].strip().split("\n\n")[0].splitlines()
    assert 2 <= len(examples) <= 4
    assert all(line.strip().startswith("pilot ") for line in examples)
    assert f"pilot {command}" in README


def test_readme_command_outputs_are_current() -> None:
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_readme_starts_with_the_two_commands() -> None:
    blocks = README.split("```sh\n")
    assert "pip install . && pilot list" in blocks[1]
    assert "python -m pytest" in blocks[2]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = blocks[2].split("\n")[0]
    assert test_command in ci


def test_readme_python_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = [block.split("```", 1)[0] for block in README.split("```python\n")[1:]]
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "Xi'an 1390.267 billion CNY 2025" in printed
    assert "shanghai" in printed


def test_readme_is_a_short_tour_with_working_links_and_pictures() -> None:
    import re

    assert len(README.splitlines()) <= 300
    assert "pipx install" in README
    targets = re.findall(r"\]\(([^)#]+)\)", README)
    pictures = [t for t in targets if t.endswith(".svg")]
    assert len(pictures) >= 5
    for target in targets:
        assert (ROOT / target).exists(), target
    for page in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), (page.name, target)
