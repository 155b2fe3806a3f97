"""The operator's passphrase: stored only as an scrypt hash, compared in constant time, 5 tries a minute a
session and 30 a minute for the whole server (a new tab is a new session).

The stored form is `scrypt$N$r$p$<salt hex>$<hash hex>`, as `python -m catalog spend --hash` prints it.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
from dataclasses import dataclass

from catalog.spend.modes import SpendConfigError
from catalog.words import counted

HASH_SETTING = "CATALOG_SPEND_PASSPHRASE_HASH"
#: scrypt's cost (2**14, r=8: about 16 MB and 50 ms a try) and the largest cost a stored hash may ask for.
SCRYPT_N, SCRYPT_R, SCRYPT_P, MAX_N = 2**14, 8, 1, 2**17
TRIES_PER_WINDOW, WINDOW_S = 5, 60.0
#: Tries a minute for every session of one server process together: a new tab is a new session, so the limit of
#: a session alone would let one visitor try 5 a tab.
SERVER_TRIES_PER_WINDOW = 30


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)


def hash_passphrase(passphrase: str, *, salt: bytes | None = None) -> str:
    """The passphrase's stored form, with a fresh random salt unless one is given."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = _scrypt(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def passphrase_matches(stored: str, attempt: str) -> bool:
    """Whether `attempt` is the passphrase `stored` was made from (compared in constant time)."""
    parts = stored.strip().split("$")
    try:
        if len(parts) != 6 or parts[0] != "scrypt":
            raise ValueError
        n, r, p = (int(part) for part in parts[1:4])
        salt, expected = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
        if not (2 <= n <= MAX_N and n & (n - 1) == 0 and 1 <= r <= 16 and 1 <= p <= 4 and salt and expected):
            raise ValueError
    except ValueError:
        raise SpendConfigError(f"{HASH_SETTING} is not a hash from `python -m catalog spend --hash`") from None
    return hmac.compare_digest(_scrypt(attempt, salt, n, r, p), expected)


@dataclass(frozen=True, slots=True)
class Tries:
    """When this session tried the passphrase (monotonic seconds), the ones still inside the window."""

    times: tuple[float, ...] = ()

    def wait_s(self, now: float) -> float:
        """How long until another try is allowed: 0 when fewer than 5 tries were made in the last minute."""
        recent = sorted(t for t in self.times if now - t < WINDOW_S)
        if len(recent) < TRIES_PER_WINDOW:
            return 0.0
        return recent[-TRIES_PER_WINDOW] + WINDOW_S - now

    def tried(self, now: float) -> Tries:
        return Tries(tuple(t for t in self.times if now - t < WINDOW_S) + (now,))


class ServerTries:
    """Every session's tries in this server process within the last minute; thread-safe (sessions are threads)."""

    def __init__(self, limit: int = SERVER_TRIES_PER_WINDOW) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._times: tuple[float, ...] = ()

    def take(self, now: float) -> float:
        """Count a try and return 0 when the server allows one now; else how long until it does (nothing counted)."""
        with self._lock:
            recent = tuple(t for t in self._times if now - t < WINDOW_S)
            if len(recent) >= self.limit:
                self._times = recent
                return sorted(recent)[-self.limit] + WINDOW_S - now
            self._times = (*recent, now)
            return 0.0


@dataclass(frozen=True, slots=True)
class Unlock:
    """What one try did: whether spending is unlocked, the tries so far, and what to tell the visitor."""

    ok: bool
    tries: Tries
    message: str


def try_passphrase(stored: str, attempt: str, tries: Tries, now: float, server: ServerTries | None = None) -> Unlock:
    """One try: refused without checking when this session made 5 tries in the last minute, or the `server`'s
    sessions 30 together; else checked and counted."""
    wait = tries.wait_s(now)
    if wait > 0:
        return Unlock(False, tries, f"Too many tries: wait {math.ceil(wait)} s before the next one.")
    if server is not None and (wait := server.take(now)) > 0:
        return Unlock(False, tries, f"Too many tries on this server: wait {math.ceil(wait)} s before the next one.")
    tries = tries.tried(now)
    if passphrase_matches(stored, attempt):
        return Unlock(True, Tries(), "Unlocked for this session.")
    left = TRIES_PER_WINDOW - len(tries.times)
    more = f"{counted(left, 'more try')} this minute" if left else "no more tries this minute"
    return Unlock(False, tries, f"That is not the passphrase ({more}).")
