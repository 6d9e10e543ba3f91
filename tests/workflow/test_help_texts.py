"""Every command that help texts and docs name exists (``policykg query --list`` did not)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

import click
import pytest

from policykg.cli import cli

from ..conftest import ROOT

_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_SPAN = re.compile(r"`([^`\n]+)`")
_CALL = re.compile(r"(?:^\s*|[|;&$]\s*|`)policykg((?:[ \t]+[^\s`]+)*)", re.M)
_WITH_VALUE = {"--store"}  # group options that take a value


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield prefix + name, command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + name + " ")


def _code(text: str, *, markdown: bool = False) -> str:
    """The code of Markdown or a help text: fenced blocks and inline spans (with backticks),
    and in help texts the lines that start with a command (the examples); prose that
    mentions policykg is left out."""
    blocks = _FENCE.findall(text)
    spans = [f"`{span}`" for span in _SPAN.findall(_FENCE.sub("", text))]
    lines = [] if markdown else [line for line in _FENCE.sub("", text).splitlines()
                                 if line.lstrip().startswith("policykg ")]
    return "\n".join([*blocks, *spans, *lines])


_SHELL_END = {">", ">>", "<", "|", "||", "&&", ";", "&", "#"}


def named_commands(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each ``policykg ...`` call in ``text``: its command words ("query funding") and the
    options given after them (up to the end of the shell command)."""
    for line in text.splitlines():
        for match in _CALL.finditer(line):
            words: list[str] = []
            options: list[str] = []
            skip = False
            for token in match.group(1).split():
                if token in _SHELL_END or token.startswith("#"):
                    break
                if skip:
                    skip = False
                elif token.startswith("-") and token != "-":
                    if words:
                        options.append(token.split("=", 1)[0])
                    else:
                        skip = token in _WITH_VALUE
                elif not options and re.fullmatch(r"[a-z][a-z0-9-]*", token) and (
                        not words or _takes_subcommand(words)):
                    words.append(token)
                elif not words:
                    break
            if words:
                yield " ".join(words), options


def _takes_subcommand(words: list[str]) -> bool:
    command = _resolve(" ".join(words))
    return isinstance(command, click.Group)


def _resolve(path: str) -> click.Command | None:
    """The command the words name, or None when a word is not a command of its group."""
    command: click.Command = cli
    for word in path.split():
        if not isinstance(command, click.Group):
            return None
        sub = command.get_command(click.Context(command), word)
        if sub is None:
            return None
        command = sub
    return command


def _problems(text: str) -> list[str]:
    found = []
    for path, options in named_commands(text):
        command = _resolve(path)
        if command is None:
            found.append(f"policykg {path}")
            continue
        known = {"--help", "-h"}
        for param in command.params:
            known.update(param.opts + param.secondary_opts)
        found += [f"policykg {path} {o}" for o in options if o not in known]
    return found


def _sources() -> Iterator[tuple[str, str]]:
    """Each command's help (with its options' help) and each Markdown document, as code."""
    yield "policykg --help", _code(cli.help or "")
    for name, command in _commands(cli):
        texts = [command.help or ""]
        texts += [p.help for p in command.params if isinstance(p, click.Option) and p.help]
        yield f"policykg {name} --help", _code("\n".join(texts))
    for path in [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted(ROOT.glob("docs/*.md")),
                 *sorted(ROOT.glob("bench/**/*.md"))]:
        yield str(path.relative_to(ROOT)), _code(path.read_text(encoding="utf-8"), markdown=True)


def test_the_parser_finds_commands_and_their_options() -> None:
    text = _code("Run policykg once.\n    policykg --store ./kg query funding --since 2017\n"
                 "see `policykg judgements export FILE` or `policykg query --list`.\n"
                 "    policykg dedupe --format json > pairs.json  # then merge --from\n")
    assert sorted(named_commands(text)) == [
        ("dedupe", ["--format"]), ("judgements export", []), ("query", ["--list"]),
        ("query funding", ["--since"])]
    assert _problems(text) == ["policykg query --list"]  # what export-subgraph once said
    assert _problems("policykg restores x\npolicykg load --sauce-id x -") == [
        "policykg restores", "policykg load --sauce-id"]


@pytest.mark.parametrize(("where", "text"), list(_sources()))
def test_every_named_command_exists(where: str, text: str) -> None:
    assert _problems(text) == [], f"{where} names commands or options that do not exist"


#: A command named in a message: inside backticks, or followed by an option.
_MESSAGE_CALL = re.compile(r"`(policykg [^`]+)`|(policykg(?: [a-z][a-z0-9-]*)+ --?[a-z][^\s,;:)]*)")


def _messages() -> Iterator[tuple[str, str]]:
    """The string constants of the package that are not docstrings (errors, hints, notes),
    each with where it is; f-strings with their holes as ``X``."""
    for path in sorted((ROOT / "policykg").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                    | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in docstrings:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "X"
                               for v in node.values)
                yield f"{path.relative_to(ROOT)}:{node.lineno}", text


def test_the_message_scan_sees_a_bad_hint() -> None:
    assert _MESSAGE_CALL.search("see policykg query --list for names") is not None
    assert _MESSAGE_CALL.search("not a policykg backup") is None
    assert _problems("`policykg query --list`") == ["policykg query --list"]


def test_commands_named_in_messages_exist() -> None:
    found = []
    for where, text in _messages():
        for match in _MESSAGE_CALL.finditer(text):
            found += [f"{where}: {p}" for p in _problems("`" + (match[1] or match[2]) + "`")]
    assert found == []
