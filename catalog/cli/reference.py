"""The README's command reference, written from the argparse parser itself, so the two cannot drift."""

from __future__ import annotations

import argparse


def _flag(action: argparse.Action) -> str:
    names = ", ".join(f"`{name}`" for name in action.option_strings) or f"`{action.metavar or action.dest}`"
    if action.option_strings and action.nargs != 0:
        value = action.metavar or (("{" + ",".join(map(str, action.choices)) + "}") if action.choices else "VALUE")
        names += f" {value}"
    return names


def _help(action: argparse.Action) -> str:
    text = (action.help or "").replace("|", "\\|")
    if action.option_strings and action.choices and action.metavar and action.nargs != 0:
        text = f"{text}; one of {', '.join(map(str, action.choices))}".lstrip("; ")
    return text


def reference_markdown(parser: argparse.ArgumentParser) -> str:
    """One block per command: its line of help, then a row per argument (flags, their values, their help)."""
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help or "" for choice in commands._choices_actions}
    lines: list[str] = []
    for name, command in commands.choices.items():
        lines += [f"**`{parser.prog} {name}`** — {helps.get(name, '')}", ""]
        arguments = [a for a in command._actions if not isinstance(a, argparse._HelpAction)]
        if arguments:
            lines += ["| argument | meaning |", "|---|---|"]
            lines += [f"| {_flag(action)} | {_help(action)} |" for action in arguments]
            lines.append("")
    return "\n".join(lines)
