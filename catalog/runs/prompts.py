"""Prompt files for runs: `.jsonl` (one object a line), `.csv` (a `prompt` column), `.txt` (one prompt a line),
or a promptfoo config (`.yaml`/`.yml`, see `catalog/runs/promptfoo.py`).

A `.jsonl` object or a `.csv` row may carry `expect`, the checks its answer must pass (`catalog/runs/checks.py`).

Every bad line is reported with its number before anything is sent: `read_prompts` collects all of them
and raises one `PromptFileError` listing the first few.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog import json_text
from catalog.records import CatalogError
from catalog.runs.checks import Check, CheckError, parse_checks

ROLES = ("system", "user", "assistant")
#: Bounds on a prompt file: it is read whole, and each prompt is sent as is.
MAX_PROMPTS = 10_000
MAX_PROMPT_CHARS = 200_000
MAX_FILE_BYTES = 50 * 1024 * 1024
#: The largest prompt file a dashboard visitor may upload (a file the CLI reads may be `MAX_FILE_BYTES`).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: How many bad lines one error message lists.
SHOWN_PROBLEMS = 5
FORMATS = ("jsonl", "csv", "txt", "yaml", "yml")
#: What can be pasted on the Runs page, in the order it offers them.
PASTE_FORMATS = ("txt", "jsonl", "csv", "yaml")
#: The formats as help texts and messages name them.
FORMATS_TEXT = ".jsonl, .csv (a prompt column), .txt (a prompt a line) or .yaml (a promptfoo config)"
WRONG_SUFFIX = "a prompt file must end in .jsonl, .csv, .txt or .yaml (promptfoo)"


class PromptFileError(CatalogError):
    """A prompt file with bad lines, or none at all; the message names each bad line."""


@dataclass(frozen=True, slots=True)
class Prompt:
    """One prompt: its label (the file's `id`, else `line N`), messages as (role, content), optional max tokens."""

    label: str
    messages: tuple[tuple[str, str], ...]
    max_tokens: int | None = None
    #: What the answer must pass; empty: the prompt is measured, not checked.
    checks: tuple[Check, ...] = ()

    @property
    def chars(self) -> int:
        return sum(len(content) for _, content in self.messages)

    @property
    def sha256(self) -> str:
        """The digest of what is sent (messages and max tokens): `--resume` checks the file is the same."""
        text = json.dumps([list(m) for m in self.messages] + [self.max_tokens], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_prompts(path: str | Path) -> list[Prompt]:
    """The prompts of a file, by its suffix; PromptFileError naming every bad line (the first few)."""
    path = Path(path)
    kind = _kind(str(path))
    try:
        _fits(path.stat().st_size, MAX_FILE_BYTES, str(path))
        raw = path.read_bytes()
    except OSError as error:
        raise PromptFileError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from None
    return parse_prompts(_text(raw, str(path)), kind, str(path))


def prompts_given(pasted: str, kind: str, upload: tuple[str, bytes] | None = None) -> list[Prompt]:
    """The Runs page's prompts: from an uploaded file, (its name, its bytes), by its suffix and at most
    `MAX_UPLOAD_BYTES`; else from the `pasted` text in the format `kind`. PromptFileError says what is wrong."""
    if upload is None:
        return parse_prompts(pasted, kind, "the pasted prompts")
    name, data = upload
    kind = _kind(name)
    _fits(len(data), MAX_UPLOAD_BYTES, name)
    return parse_prompts(_text(data, name), kind, name)


def _kind(name: str) -> str:
    """A prompt file's format, from its name's suffix; PromptFileError for a suffix that is none of `FORMATS`."""
    kind = Path(name).suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise PromptFileError(f"{name}: {WRONG_SUFFIX}")
    return kind


def _fits(size: int, most: int, name: str) -> None:
    if size > most:
        raise PromptFileError(f"{name}: larger than {most // (1024 * 1024)} MB")


def _text(raw: bytes, name: str) -> str:
    """A prompt file's bytes as text (UTF-8, a byte-order mark dropped); PromptFileError naming the first bad line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PromptFileError(f"{name}, line {line}: not UTF-8 text") from None


def parse_prompts(text: str, kind: str, name: str = "prompts") -> list[Prompt]:
    """Prompts from text in one of FORMATS (pasted on the Runs page, or read from a file)."""
    from catalog.runs.promptfoo import promptfoo_prompts

    parsers = {"jsonl": _jsonl, "csv": _csv, "txt": _txt, "yaml": promptfoo_prompts, "yml": promptfoo_prompts}
    prompts: list[Prompt] = []
    problems: list[str] = []
    for number, item in parsers[kind](text, problems):
        if isinstance(item, str):
            problems.append(f"line {number}: {item}")
        else:
            prompts.append(item)
    if len(prompts) > MAX_PROMPTS:
        problems.append(f"{len(prompts):,} prompts; at most {MAX_PROMPTS:,} are allowed in one run")
    if problems:
        more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
        raise PromptFileError(f"{name}: " + "; ".join(problems[:SHOWN_PROBLEMS]) + more)
    if not prompts:
        raise PromptFileError(f"{name}: no prompts")
    return prompts


def _checked(
    label: str, messages: tuple[tuple[str, str], ...], max_tokens: int | None, checks: tuple[Check, ...] = ()
) -> Prompt | str:
    size = sum(len(content) for _, content in messages)
    if size > MAX_PROMPT_CHARS:
        return f"the prompt has {size:,} characters; at most {MAX_PROMPT_CHARS:,} are allowed"
    if not any(content.strip() for _, content in messages):
        return "the prompt is empty"
    return Prompt(label, messages, max_tokens, checks)


def _txt(text: str, problems: list[str]) -> list[tuple[int, Prompt | str]]:
    return [
        (number, _checked(f"line {number}", (("user", line),), None))
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def _csv(text: str, problems: list[str]) -> list[tuple[int, Prompt | str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "prompt" not in reader.fieldnames:
        problems.append("line 1: the header has no `prompt` column")
        return []
    found: list[tuple[int, Prompt | str]] = []
    try:
        for row in reader:
            number = reader.line_num
            prompt = row.get("prompt")
            if prompt is None or None in row:
                found.append((number, "the row has a different number of cells than the header"))
                continue
            if not prompt.strip():
                found.append((number, "the prompt cell is empty"))
                continue
            label = (row.get("id") or "").strip() or f"line {number}"
            try:
                max_tokens = _max_tokens(row.get("max_tokens") or None)
                checks = _expect(_json_cell(row.get("expect") or None))
            except ValueError as error:  # CheckError too
                found.append((number, str(error)))
                continue
            found.append((number, _checked(label, (("user", prompt),), max_tokens, checks)))
    except csv.Error as error:
        problems.append(f"line {reader.line_num}: {error}")
    return found


def _jsonl(text: str, problems: list[str]) -> list[tuple[int, Prompt | str]]:
    found: list[tuple[int, Prompt | str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json_text.loads(line)
        except json_text.NestingError:
            found.append((number, f"not a prompt: nested more than {json_text.SHOWN_DEPTH} levels deep"))
            continue
        except ValueError:
            found.append((number, "not a JSON object"))
            continue
        found.append((number, _json_prompt(data, number)))
    return found


def _json_prompt(data: Any, number: int) -> Prompt | str:
    if not isinstance(data, dict):
        return "not a JSON object"
    unknown = sorted(set(data) - {"id", "prompt", "messages", "max_tokens", "expect"})
    if unknown:
        return f"unknown field {unknown[0]!r} (expected prompt or messages, id, max_tokens, expect)"
    if ("prompt" in data) == ("messages" in data):
        return "needs exactly one of `prompt` or `messages`"
    label = data.get("id", f"line {number}")
    if not isinstance(label, str | int) or isinstance(label, bool):
        return "`id` must be a string or a number"
    try:
        max_tokens = _max_tokens(data.get("max_tokens"))
        checks = _expect(data.get("expect"))
    except ValueError as error:  # CheckError too
        return str(error)
    if "prompt" in data:
        if not isinstance(data["prompt"], str):
            return "`prompt` must be a string"
        return _checked(str(label), (("user", data["prompt"]),), max_tokens, checks)
    messages = data["messages"]
    if not isinstance(messages, list) or not messages:
        return "`messages` must be a non-empty list"
    pairs = []
    for message in messages:
        if (
            not isinstance(message, dict)
            or message.get("role") not in ROLES
            or not isinstance(message.get("content"), str)
        ):
            return "each message needs a role (system, user or assistant) and text content"
        pairs.append((str(message["role"]), str(message["content"])))
    return _checked(str(label), tuple(pairs), max_tokens, checks)


def _expect(value: Any) -> tuple[Check, ...]:
    return () if value is None else parse_checks(value)


def _json_cell(text: str | None) -> Any:
    """A CSV cell holding JSON (the `expect` column); a `CheckError` when it does not parse."""
    if text is None or not text.strip():
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise CheckError("the `expect` cell is not JSON (a list of checks)") from None


def _max_tokens(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise ValueError("`max_tokens` must be a whole number above 0")
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("`max_tokens` must be a whole number above 0")
    return value
