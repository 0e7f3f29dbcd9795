"""The README's set-up commands, as a newcomer pastes them: one command per block, each safe alone."""

from __future__ import annotations

import re

from bot.config import PROJECT_ROOT

CI_TEST_COMMAND = re.compile(r"^python3 -m venv \.venv && .* pytest", re.M)  # what .ci/run greps


def setup_blocks() -> list[list[str]]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    before_title = readme.split("\n# otbot", 1)[0]
    return [block.strip().splitlines() for block in re.findall(r"```sh\n(.*?)```", before_title, re.S)]


def test_each_setup_command_is_alone_in_its_block() -> None:
    chat, tests = setup_blocks()
    assert chat == ["python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/otbot chat"]
    assert len(tests) == 1 and CI_TEST_COMMAND.match(tests[0])
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert CI_TEST_COMMAND.search(readme).group(0) in tests[0]  # .ci/run finds this very block first
    assert "Ctrl-D" in readme.split("```sh", 1)[0] and "/quit" in readme.split("```sh", 1)[0]
