"""Writing a format that is a folder of files (models.dev, llm-prices' `data/`), safely and all at once."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

#: What a path segment built from a page's text may hold; anything else becomes `-`.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_segment(text: str) -> str:
    """One path segment from untrusted text: no separator, no `..`, never empty, at most 200 characters."""
    cleaned = _UNSAFE.sub("-", text)[:200].strip(".")
    return cleaned or "-"


def safe_path(*parts: str) -> str:
    """A relative POSIX path from untrusted segments, each made safe (a model id's `/` makes sub-folders)."""
    return str(PurePosixPath(*(safe_segment(part) for part in parts)))


def write_tree(files: Mapping[str, str], folder: Path) -> None:
    """Write `files` (relative path → text) as `folder`, atomically: into a temporary folder beside it, then
    one rename, so a reader sees the old folder or the whole new one, never half of it."""
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for relative, text in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            folder.rename(old)
        staging.rename(folder)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
