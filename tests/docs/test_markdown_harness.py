"""The docs harness itself (doc_blocks.py, doc_runner.py): it must fail where a page is wrong, and
say where. Each case is a small markdown page of its own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_blocks import DirectiveError, parse_blocks
from doc_runner import shown_literal
from test_markdown import check_page, private_values, run_blocks

F = "```"


def _page(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def _run(tmp_path: Path, text: str) -> tuple[int, str]:
    page = _page(tmp_path, text)
    done = run_blocks(page, parse_blocks(page), tmp_path / "run")
    return done.returncode, done.stdout + done.stderr


def test_blocks_lines_sections_directives_and_outputs(tmp_path: Path) -> None:
    text = (
        f"# Title\n\n## Setup\n\n{F}python\nx = 1\n{F}\n\n{F}text\nshown\n{F}\n\n"
        f"<!-- not run: needs a GPU -->\n{F}python\ngpu()\n{F}\n\n"
        f"<!-- run: with fake-openai-server, other -->\n{F}py\ny = 2\n{F}\n\n"
        f"## Shell\n\n{F}bash\nls\n{F}\n\n<!-- run -->\n{F}bash\necho hi\n{F}\n\n"
        f"<!-- file: policy.yaml -->\n{F}yaml\nlevels: {{}}\n{F}\n"
    )
    blocks = parse_blocks(Path("page.md"), text)
    assert [(b.line, b.lang, b.section) for b in blocks] == [
        (6, "python", "Setup"),
        (15, "python", "Setup"),
        (20, "py", "Setup"),
        (26, "bash", "Shell"),
        (31, "bash", "Shell"),
        (36, "yaml", "Shell"),
    ]
    assert blocks[0].code == "x = 1\n"
    assert blocks[0].expected == "shown\n"
    assert (blocks[1].run, blocks[1].reason) == (False, "needs a GPU")
    assert (blocks[2].run, blocks[2].fixtures) == (True, ("fake-openai-server", "other"))
    assert [b.run for b in blocks[3:5]] == [False, True]
    assert blocks[5].file == "policy.yaml"


@pytest.mark.parametrize(
    "directive",
    ["<!-- not run -->", "<!-- run: fake-openai-server -->", "<!-- runs: with x -->", "<!-- file: ../x -->"],
)
def test_an_unreadable_directive_is_an_error(directive: str) -> None:
    with pytest.raises(DirectiveError):
        parse_blocks(Path("page.md"), f"{directive}\n{F}python\nx = 1\n{F}\n")


def test_shown_literals() -> None:
    assert shown_literal("'Text me at <Phone_Number_1>'") == "'Text me at <Phone_Number_1>'"
    assert shown_literal("['Verification Code']   (PL4: redacted, stored nowhere)") == "['Verification Code']"
    assert shown_literal("{'a': 1}") == "{'a': 1}"
    assert shown_literal("True") == "True"
    assert shown_literal("active recognisers, in order") is None
    assert shown_literal("{PL1: 0, PL2: 1}") is None
    assert shown_literal("'I'll text you'") is None


def test_a_page_that_runs(tmp_path: Path) -> None:
    page = (
        f"{F}python\nimport asyncio\nx = 'a' + 'b'   # 'ab'\n{F}\n\n"
        f"Later blocks see earlier names; shown values hold, output too:\n\n"
        f"{F}python\nprint(x)\n[x, x]\n# ['ab', 'ab']\nawait asyncio.sleep(0)\n{F}\n\n"
        f"{F}text\nab\n{F}\n\n"
        f"<!-- not run: would fail here -->\n{F}python\nraise SystemExit(3)\n{F}\n\n"
        f"<!-- file: note.txt -->\n{F}yaml\nkey: value\n{F}\n\n"
        f"{F}python\nfrom pathlib import Path\nPath('note.txt').read_text()   # 'key: value\\n'\n"
        f"Path.home().joinpath('x').exists()   # False\n{F}\n\n"
        f"<!-- run -->\n{F}bash\ntest \"$(cat note.txt)\" = 'key: value'\n{F}\n\n"
        f"{F}bash\nexit 1\n{F}\n"
    )
    status, output = _run(tmp_path, page)
    assert status == 0, output


@pytest.mark.parametrize(
    ("body", "where", "says"),
    [
        (f"{F}python\nx = 1\n{F}\n\n{F}python\n\nundefined_name\n{F}\n", "page.md:7", "NameError"),
        (f"{F}python\nx = 'a'   # 'b'\n{F}\n", "page.md:2", "the page shows 'b'"),
        (f"{F}python\nlen('ab')\n# 3\n{F}\n", "page.md:2", "the page shows 3"),
        (f"{F}python\nif True:\n    y = 2  # 3\n{F}\n", "page.md:3", "the page shows 3"),
        (f"{F}python\nprint('a')\n{F}\n\n{F}text\nb\n{F}\n", "page.md:2", "the code printed"),
        (f"<!-- not run: a GPU -->\n{F}python\ndef f(:\n{F}\n", "page.md:3", "SyntaxError"),
        (f"<!-- run -->\n{F}bash\nfalse\n{F}\n", "page.md:3", "exit status 1"),
        (f"<!-- run: with no-such-thing -->\n{F}python\nx = 1\n{F}\n", "page.md:3", "unknown fixture"),
        (f"{F}python\nimport doc_blocks\n{F}\n", "page.md:2", "ModuleNotFoundError"),
    ],
    ids=["error", "shown", "shown-below", "shown-nested", "output", "syntax", "shell", "fixture", "helpers"],
)
def test_a_failure_names_the_page_line(tmp_path: Path, body: str, where: str, says: str) -> None:
    status, output = _run(tmp_path, body)
    assert status == 1
    assert f"FAILED {where}" in output
    assert says in output


def test_the_traceback_shows_the_page_line(tmp_path: Path) -> None:
    status, output = _run(tmp_path, f"Intro\n\n{F}python\nx = 1\n1 / 0  # boom\n{F}\n")
    assert status == 1
    assert 'page.md", line 5' in output
    assert "1 / 0  # boom" in output


def test_the_fake_server_answers_at_the_documented_address(tmp_path: Path) -> None:
    page = (
        f"<!-- run: with fake-openai-server -->\n{F}python\n"
        "from openai import OpenAI\n"
        "client = OpenAI(base_url='http://127.0.0.1:8000/v1', api_key='x')\n"
        "reply = client.chat.completions.create(model='m', messages=[{'role': 'user', 'content': 'hi'}])\n"
        "reply.choices[0].message.content   # 'Noted: hi'\n"
        "stream = client.chat.completions.create(model='m', stream=True,\n"
        "                                        messages=[{'role': 'user', 'content': 'a longer text'}])\n"
        "''.join(c.choices[0].delta.content or '' for c in stream)   # 'Noted: a longer text'\n"
        "OpenAI().base_url.port != 8000   # True\n"
        "from openai import AsyncOpenAI\n"
        "aclient = AsyncOpenAI(base_url='http://127.0.0.1:8000/v1', api_key='x')\n"
        "hi = [{'role': 'user', 'content': 'yo'}]\n"
        "reply = await aclient.chat.completions.create(model='m', messages=hi)\n"
        "reply.choices[0].message.content   # 'Noted: yo'\n"
        f"{F}\n"
    )
    status, output = _run(tmp_path, page)
    assert status == 0, output


def test_the_fake_cloud_model_must_not_receive_private_values(tmp_path: Path) -> None:
    page = (
        f"<!-- run: with fake-openai-server -->\n{F}python\n"
        "from openai import OpenAI\n"
        "OpenAI().chat.completions.create(\n"
        "    model='m', messages=[{'role': 'user', 'content': 'call me on +1 415 867 5309'}])\n"
        f"{F}\n"
    )
    status, output = _run(tmp_path, page)
    assert status == 1
    assert "FAILED page.md (at the end of the page)" in output
    assert "['Phone Number']" in output
    assert "867" not in output


def test_a_page_must_not_leave_its_private_values_in_clear(tmp_path: Path) -> None:
    page = _page(
        tmp_path,
        f"{F}python\nfrom pathlib import Path\n"
        f"Path('notes.txt').write_text('my phone is +1 415 867 5309')\n{F}\n",
    )
    assert private_values(parse_blocks(page)) == {"+1 415 867 5309": "Phone Number"}
    with pytest.raises(
        AssertionError, match=r"left private values in clear: \['work/notes.txt: Phone Number'\]"
    ):
        check_page(page, tmp_path / "run")
