"""Writing a format that is a folder of files (a published site, models.dev, llm-prices' `data/`), safely and
all at once.

`write_tree` replaces a whole folder, so it first refuses a folder it must not replace (`guard_folder`): the
current directory or any folder above it, the home folder or any above it, the root, a file, and a folder
with something in it that an earlier write did not mark as its own (`MARKER`) unless the caller forces it.
Every failure is a `CatalogError` with one plain line.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from catalog.records import CatalogError

#: What a path segment built from a page's text may hold; anything else becomes `-`.
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
#: The file every written folder holds, so the next write knows the folder is its own to replace.
MARKER = ".llm-catalog-site"
MARKER_TEXT = (
    "Written by `python -m catalog` (publish, or export to a folder). The next write replaces this folder whole.\n"
)


def safe_segment(text: str) -> str:
    """One path segment from untrusted text: no separator, no `..`, never empty, at most 200 characters."""
    cleaned = _UNSAFE.sub("-", text)[:200].strip(".")
    return cleaned or "-"


def safe_path(*parts: str) -> str:
    """A relative POSIX path from untrusted segments, each made safe (a model id's `/` makes sub-folders)."""
    return str(PurePosixPath(*(safe_segment(part) for part in parts)))


def guard_folder(folder: Path, *, force: bool = False) -> Path:
    """The folder as an absolute path, if `write_tree` may replace it; a `CatalogError` saying why not otherwise.

    Never: an empty path, the current directory or a folder above it, the home folder or one above it, the
    root, or anything that is not a folder. A folder with something in it is replaced only when an earlier
    write left `MARKER` in it, or with `force`.
    """
    if not str(folder).strip() or str(folder) == ".":
        raise CatalogError("the folder to write is the current directory; name a new folder, such as ./site")
    target = folder.resolve()
    here, home = Path.cwd().resolve(), Path.home().resolve()
    if target == target.parent:
        raise CatalogError(f"{folder} is the root folder; name a new folder, such as ./site")
    if target == here or target in here.parents:
        raise CatalogError(f"{folder} is the current directory or a folder above it; name a new folder")
    if target == home or target in home.parents:
        raise CatalogError(f"{folder} is the home folder or a folder above it; name a new folder")
    if target.exists() and not target.is_dir():
        raise CatalogError(f"{folder} is a file, not a folder")
    if target.is_dir() and not force and not (target / MARKER).is_file() and any(target.iterdir()):
        raise CatalogError(
            f"{folder} already holds files this tool did not write (no {MARKER} in it), and would be replaced "
            "whole; name a new or empty folder, or add --force"
        )
    return target


def write_tree(files: Mapping[str, str], folder: Path, *, force: bool = False) -> None:
    """Write `files` (relative path → text) as `folder`, with `MARKER`, replacing what was there.

    First `guard_folder`. The files go into a temporary folder beside `folder`, which then takes its place in
    one step (`replace_folder`), so a reader sees the old folder or the whole new one, never half of either.
    """
    target = guard_folder(folder, force=force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as error:
        raise CatalogError(f"cannot write {folder}: {error.strerror or error}") from None
    try:
        for relative, text in {**files, MARKER: MARKER_TEXT}.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        replace_folder(staging, target)
    except OSError as error:
        raise CatalogError(f"cannot write {folder}: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already, or the old folder, or a failed write


def replace_folder(staging: Path, folder: Path) -> None:
    """Put `staging` where `folder` is; afterwards `staging` holds the old folder (if any), for the caller to remove.

    Where the system can exchange two paths at once (Linux's `renameat2` with `RENAME_EXCHANGE`), `folder`
    always exists: first the old one, then the new. Elsewhere it takes two renames (`swap_by_renames`).
    """
    if not folder.exists():
        os.rename(staging, folder)
        return
    if not exchange(staging, folder):
        swap_by_renames(staging, folder)


def swap_by_renames(staging: Path, folder: Path) -> None:
    """`folder` to `staging`'s place through a third name, `staging` to `folder`'s: for a moment (between two
    renames in one directory) no `folder` exists. If the second rename fails, the old folder is put back."""
    aside = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    os.rename(folder, aside)
    try:
        os.rename(staging, folder)
    except BaseException:
        os.rename(aside, folder)
        raise
    os.rename(aside, staging)


#: `renameat2`'s flag that swaps two existing paths, and the "relative to the current directory" descriptor.
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step; False (nothing done) where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it (glibc before 2.28, musl before 1.2.?)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # the kernel or file system does not exchange
        return False
    raise OSError(code, os.strerror(code), str(second))
