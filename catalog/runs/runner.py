"""Runs: every prompt × model × repetition sent through the gateway, each reply recorded as a trial.

Concurrency is a thread pool sharing one `GatewayClient`, not asyncio: the client, its streaming reader
and its deadline handling are synchronous httpx, already thread-safe and tested; one thread per request in
flight (at most `concurrency`, ≤ 32) costs little next to a network reply, and keeps one code path for the
playground and runs. Each worker takes its next cell itself (no thread between one request and the next: a
dispatcher in the middle cost two thread hand-offs a trial); one condition guards the cells left, the budget
and the stop reason. The calling thread alone writes to the store and reports progress.

`Runner.execute` is made of small pieces, each with one reason to change:

- `Budget` (`--max-usd`): a request starts only when its worst case fits beside what was spent and what the
  requests in flight hold; a reply reporting more than its reservation stops new requests. More reservation
  sources (a shared spend ledger) plug in beside it: anything with `reserve`/`settle` (`Reservations`).
- `_next` gives a worker its next cell (a rate-limit pause waited out, the budget reserved), `_attempt` sends it,
  `_ended` settles it; the calling thread's `_collect` takes ended trials from a queue.
- `TrialBatch` records ended trials together: as soon as `SAVE_EVERY_TRIALS` wait, or `SAVE_WINDOW_S` after
  the first of them ended, whichever is first. That is all a killed process can lose.
- `RateLimits`: a 429 pauses new requests for its `Retry-After`, within the run's retry budget.
- `_StopReason`: why the run ended, the first reason given winning (budget, 401/403, 402, Ctrl-C or Stop).
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Protocol, TypeVar

from catalog.costs import prompt_token_bound, request_cost, usd
from catalog.gateway.client import GatewayClient, RetryPolicy
from catalog.gateway.config import ConfigError
from catalog.gateway.errors import AuthenticationFailed, Cancelled, GatewayError, PaymentRequired, RateLimited
from catalog.gateway.messages import ChatParams, ChatRequest, ChatResult, Message
from catalog.gateway.stream import ChatStream
from catalog.gateway.targets import TRUSTED_TARGET_HOSTS, chat_request
from catalog.known_context import known_limits
from catalog.records import Catalog, CatalogError, ModelRecord
from catalog.runs.checks import CheckResult
from catalog.runs.judge import JudgeAnswer, JudgeJob, RunChecks
from catalog.runs.paid import SPEND_CAP, paid_attempt
from catalog.runs.prompts import Prompt
from catalog.runs.store import TrialStore
from catalog.runs.trials import (
    FINISHED,
    INTERRUPTED,
    STOPPED_AUTH,
    STOPPED_BUDGET,
    STOPPED_PAYMENT,
    Run,
    RunPrompt,
    RunSettings,
    Trial,
    trial_from_error,
    trial_from_result,
)
from catalog.spend import CapReached, Spender
from catalog.words import counted

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_CONCURRENCY = 32
#: The most tokens one reply may ask for, whatever a prompt, the CLI or the page says.
MAX_REPLY_TOKENS = 1_000_000
#: A 429 is waited out this many times for one trial before it is recorded as rate limited.
RATE_LIMIT_TRIES = 20
#: Wait after a 429 without Retry-After, in seconds; the run's whole budget for such waits by default.
DEFAULT_RATE_WAIT_S, DEFAULT_RETRY_BUDGET_S = 1.0, 600.0
#: Operator setting: the most seconds a run waits in all for rate limits (429 Retry-After).
RETRY_BUDGET_SETTING = "CATALOG_RUNS_RETRY_BUDGET_S"
#: Trials that ended are recorded together, in one transaction: once this many wait, or this long after the first
#: of them ended, whichever comes first. A killed process loses at most the trials of that window.
SAVE_EVERY_TRIALS, SAVE_WINDOW_S = 64, 0.05
STOPS = {"payment_required": STOPPED_PAYMENT, "authentication_failed": STOPPED_AUTH, SPEND_CAP: STOPPED_BUDGET}
#: Runner-side retries: 429 is the runner's to wait out (pausing every worker), so the client does not retry it.
RUN_RETRY = RetryPolicy(statuses=frozenset({502, 503}))

Cell = tuple[int, int, ModelRecord]  # (prompt number, repetition, model)


class RunError(CatalogError):
    """A run cannot start: an unknown or ambiguous model, an untrusted target, a budget below one request."""


def resolve_models(catalog: Catalog, specs: Sequence[str]) -> list[ModelRecord]:
    """Each `--model`: an id as the catalog writes it, or `PROVIDER:MODEL` where several providers sell the id."""
    chosen: list[ModelRecord] = []
    for spec in specs:
        matches = [record for record in catalog.models if record.model == spec]
        if not matches and ":" in spec:
            provider, _, model = spec.partition(":")
            matches = [r for r in catalog.models if r.model == model and r.provider.lower() == provider.lower()]
        if not matches:
            raise RunError(f"no model {spec!r} in the catalog (try `python -m catalog list --search`)")
        if len({record.provider for record in matches}) > 1:
            choices = ", ".join(f"{record.provider}:{record.model}" for record in matches)
            raise RunError(f"the model {spec!r} is sold by several providers; choose one of: {choices}")
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


def run_prompts(prompts: Sequence[Prompt]) -> list[RunPrompt]:
    return [RunPrompt(n, p.label, p.sha256, p.chars, p.messages, p.max_tokens) for n, p in enumerate(prompts)]


def reply_tokens(prompt: Prompt | RunPrompt, run_max_tokens: int | None, model_limit: int | None = None) -> int:
    """The most tokens a reply to `prompt` may write: its own `max_tokens`, clamped to the run's and the model's."""
    bounds = [MAX_REPLY_TOKENS, *(b for b in (prompt.max_tokens, run_max_tokens, model_limit) if b is not None)]
    return max(1, min(bounds))


def output_limit(model: str) -> tuple[int, str] | None:
    """The most tokens `model` writes in one reply, and where that is cited: its output limit, else its whole context
    window (DeepInfra states one figure for both); None where the cited table does not know the model."""
    limits = known_limits(model)
    if limits is None:
        return None
    longest = limits.max_output_tokens or limits.context_window
    return None if longest is None else (longest, limits.source)


def _limit(model: str) -> int | None:
    found = output_limit(model)
    return None if found is None else found[0]


def clamp_notes(
    prompts: Sequence[Prompt | RunPrompt], run_max_tokens: int | None, models: Sequence[str] = ()
) -> list[str]:
    """One line per prompt whose own `max_tokens` is more than the run allows (what it asked and what is sent), and
    one per model of `models` whose output limit is below what a request to it asks (the limit, and its source)."""
    notes = [
        f"prompt {prompt.label!r} asks for max_tokens {prompt.max_tokens:,}; {reply_tokens(prompt, run_max_tokens):,} "
        "are sent (the run's --max-tokens)"
        for prompt in prompts
        if prompt.max_tokens is not None and prompt.max_tokens > reply_tokens(prompt, run_max_tokens)
    ]
    asked = max((reply_tokens(prompt, run_max_tokens) for prompt in prompts), default=0)
    for model in dict.fromkeys(models):
        found = output_limit(model)
        if found is not None and asked > found[0]:
            limit, source = found
            said = f"max_tokens {asked:,} is more than {model}'s output limit; {limit:,} are sent to it"
            notes.append(f"{said} (from {source})")
    return notes


def worst_case_usd(record: ModelRecord, prompt: Prompt, max_tokens: int | None) -> float:
    """The most one request can cost: every token the prompt can count as (`catalog.costs.prompt_token_bound`, the
    spend ledger's bound too), plus every token the reply may write (clamped as it is sent: `reply_tokens`)."""
    contents = [content for _, content in prompt.messages]
    return float(
        request_cost(record, prompt_token_bound(contents), reply_tokens(prompt, max_tokens, _limit(record.model)))
    )


def check_run(
    catalog: Catalog,
    records: Sequence[ModelRecord],
    prompts: Sequence[Prompt],
    settings: RunSettings,
    cells: Sequence[Cell] | None = None,
    hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
) -> None:
    """Everything that would fail before a request is sent: a bad setting, an untrusted target, a budget below
    one request (of the `cells` to run: every prompt × model when None)."""
    if not 1 <= settings.concurrency <= MAX_CONCURRENCY:
        raise RunError(f"the concurrency must be between 1 and {MAX_CONCURRENCY}")
    if settings.max_tokens is not None and not 1 <= settings.max_tokens <= MAX_REPLY_TOKENS:
        raise RunError(f"the max tokens must be between 1 and {MAX_REPLY_TOKENS:,}")
    try:
        params = ChatParams(temperature=settings.temperature, max_tokens=settings.max_tokens)
    except ValueError as error:
        raise RunError(str(error)) from None
    for record in records:
        try:
            chat_request(catalog, record, (Message("user", "check"),), params, hosts)
        except ConfigError as error:
            raise RunError(str(error)) from None
    cap = settings.max_usd
    if cap is None:
        return
    todo = cells if cells is not None else [(n, 0, record) for n in range(len(prompts)) for record in records]
    if todo:
        pairs = {(n, record.provider, record.model): record for n, _, record in todo}  # repetitions cost the same
        cheapest = min(worst_case_usd(record, prompts[n], settings.max_tokens) for (n, _, _), record in pairs.items())
        if cheapest > cap:
            raise RunError(
                f"the budget {usd(cap, 6)} is below the worst case of one request ({usd(cheapest, 8)}: every token "
                "the prompt can count as and every --max-tokens token); raise --max-usd or lower --max-tokens"
            )


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    spent_usd: float
    errors: int
    elapsed_s: float
    #: While new requests wait for a rate limit: "waiting 12 s for the rate limit of MODEL".
    waiting: str | None = None

    @property
    def left_s(self) -> float | None:
        """Time left at the pace so far; None before the first trial ends."""
        if not self.done:
            return None
        return self.elapsed_s / self.done * (self.total - self.done)

    def line(self) -> str:
        # no time-left guess while a rate limit holds the run: it is not known
        left = "" if self.left_s is None or self.waiting else f" · ~{_duration(self.left_s)} left"
        waiting = "" if self.waiting is None else f" · {self.waiting}"
        return f"{self.done}/{self.total} trials · {usd(self.spent_usd, 6)} spent · {counted(self.errors, 'error')}" \
               f"{left}{waiting}"  # fmt: skip


@dataclass(frozen=True, slots=True)
class RunOutcome:
    run: Run
    status: str
    message: str | None
    recorded: int
    spent_usd: float


class Reservations(Protocol):
    """A source of spending limits: `reserve` a request's worst case before it starts (None when it fits, else why
    not), `settle` it when the request ended with what it cost (None: unknown, so the worst case counts)."""

    def reserve(self, worst_usd: float) -> str | None: ...

    def settle(self, worst_usd: float, cost_usd: float | None) -> None: ...

    def overrun(self) -> str | None: ...


class Budget:
    """`--max-usd`: spent plus what the requests in flight reserve never passes the cap when a request starts.

    A reply whose cost (or, unknown, its worst case) is above what it reserved means the worst case was not the
    worst: from then on nothing more starts (`overrun` says why), since no estimate can be trusted any more.
    """

    def __init__(self, cap: float | None) -> None:
        self.cap = cap
        self.spent = 0.0  # what ended requests cost, or reserved when their cost is unknown
        self.reserved = 0.0  # what requests in flight may still cost
        self._overrun: str | None = None

    def reserve(self, worst_usd: float) -> str | None:
        if self.cap is None:
            return None
        if self._overrun is not None:
            return self._overrun
        if self.spent + self.reserved + worst_usd > self.cap:
            return (
                f"stopped for the budget: {usd(self.spent, 6)} spent of {usd(self.cap, 6)}; the next request could "
                f"cost up to {usd(worst_usd, 8)}"
            )
        self.reserved += worst_usd
        return None

    def settle(self, worst_usd: float, cost_usd: float | None) -> None:
        if self.cap is None:
            return
        self.reserved = max(0.0, self.reserved - worst_usd)
        self.spent += worst_usd if cost_usd is None else cost_usd
        if cost_usd is not None and cost_usd > worst_usd * (1 + 1e-9) and self._overrun is None:
            self._overrun = (
                f"stopped for the budget: a reply reported usage costing {usd(cost_usd, 8)}, above the "
                f"{usd(worst_usd, 8)} reserved for it, so no request was started after it ({usd(self.spent, 6)} spent "
                f"of {usd(self.cap, 6)})"
            )

    def overrun(self) -> str | None:
        return self._overrun


class RateLimits:
    """429s: new requests pause for a `Retry-After`, and the run waits at most `budget_s` for them in all."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.waited_s = 0.0
        self.until = 0.0  # time.monotonic() before which no request starts
        self.model = ""
        self._lock = threading.Lock()

    def pause(self, model: str, error: RateLimited) -> float | None:
        """Seconds to wait before trying again (the pause applies to every request), or None when the wait is
        beyond what is left of the budget."""
        wait_s = error.retry_after if error.retry_after is not None else DEFAULT_RATE_WAIT_S
        with self._lock:
            now = time.monotonic()
            extra = max(0.0, now + wait_s - max(self.until, now))  # waits that overlap count once
            if self.waited_s + extra > self.budget_s:
                return None
            self.waited_s += extra
            if now + wait_s > self.until:
                self.until, self.model = now + wait_s, model
        return wait_s

    def beyond(self, model: str, error: RateLimited) -> RateLimited:
        """The trial's failure when its wait is beyond the budget, in plain words."""
        asked = error.retry_after if error.retry_after is not None else DEFAULT_RATE_WAIT_S
        left = max(0.0, self.budget_s - self.waited_s)
        return RateLimited(
            f"Rate limited by {model}: it asked to wait {_seconds(asked)}, more than the {_seconds(left)} left of "
            f"this run's retry budget (CATALOG_RUNS_RETRY_BUDGET_S, {_duration(self.budget_s)}); this trial failed.",
            status=429, request_id=error.request_id, retry_after=error.retry_after,
        )  # fmt: skip

    def waiting(self) -> str | None:
        """The live line while requests wait: "waiting 12 s for the rate limit of MODEL"."""
        left = self.until - time.monotonic()
        return None if left <= 0 else f"waiting {_seconds(left)} for the rate limit of {self.model}"


class TrialBatch:
    """Ended trials not yet in the store, written in one transaction once `SAVE_EVERY_TRIALS` wait or
    `SAVE_WINDOW_S` after the first of them ended; a cell tried before is replaced, never duplicated."""

    def __init__(self, trials: TrialStore, retried: set[tuple[int | None, int | None, str, str]]) -> None:
        self.writer, self.retried = trials.writer(), retried
        self.unsaved: list[Trial] = []
        self.due = math.inf
        self.recorded = 0

    def add(self, trial: Trial, ended_at: float) -> None:
        """Take a trial that ended at `ended_at` (time.monotonic): the batch is due a window after its first."""
        if not self.unsaved:
            self.due = ended_at + SAVE_WINDOW_S
        self.unsaved.append(trial)

    def wait_s(self) -> float:
        """How long the dispatcher may sleep before the batch is due."""
        return max(0.0, self.due - time.monotonic())

    def save(self, *, now: bool = False) -> None:
        """Write the batch if it is due (or `now`)."""
        batch = self.unsaved
        if not batch or not (now or len(batch) >= SAVE_EVERY_TRIALS or time.monotonic() >= self.due):
            return
        self.writer.record_many(batch, replacing=bool(self.retried) and any(t.cell in self.retried for t in batch))
        self.recorded += len(batch)
        self.unsaved, self.due = [], math.inf


class _StopReason:
    """Why the run ends: the first reason given wins; none means it finished."""

    def __init__(self) -> None:
        self.status: str = FINISHED
        self.message: str | None = None

    def set(self, status: str, message: str | None) -> None:
        if self.status == FINISHED:
            self.status, self.message = status, message


class Runner:
    """Sends a run's remaining trials and records each as it ends; `stop()` may be called from any thread.

    `concurrency` workers each take the next cell (`_next`: a rate-limit pause waited out, the budget reserved),
    send it (`_attempt`) and settle it (`_ended`), with no thread between one request and the next. The calling
    thread only collects ended trials, records them in batches and reports progress (`_collect`).

    With answer checks (issue 19), an ended answer's non-judge checks are decided as it ends, and its judge calls
    are queued for `concurrency` judge workers of their own (`_judge_work`), so grading overlaps the answers
    instead of queueing behind them; a judge call's worst case is reserved like a request's.
    """

    def __init__(
        self,
        trials: TrialStore,
        client: GatewayClient,
        catalog: Catalog,
        run: Run,
        prompts: Sequence[Prompt],
        records: Sequence[ModelRecord],
        *,
        on_progress: Callable[[Progress], None] | None = None,
        on_trial: Callable[[Trial], None] | None = None,
        hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
        retry_budget_s: float = DEFAULT_RETRY_BUDGET_S,
        reservations: Sequence[Reservations] = (),
        checks: RunChecks | None = None,
        spender: Spender | None = None,
    ) -> None:
        self.trials, self.client, self.catalog, self.run = trials, client, catalog, run
        #: Set when the run spends the operator's credential for a dashboard visitor: each request is held first.
        self.spender = None if spender is None else spender.for_run(run.id)
        self.hosts = hosts  # the chat hosts requests may go to (the operator's, as in the playground)
        self.prompts, self.records = list(prompts), list(records)
        self.settings: RunSettings = run.settings
        self.on_progress, self.on_trial = on_progress, on_trial
        self.budget = Budget(self.settings.max_usd)
        #: Every source a request's worst case is reserved against: the run's budget first, then any others.
        self.reservations: list[Reservations] = [self.budget, *reservations]
        self.rate_limits = RateLimits(retry_budget_s)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._open: set[ChatStream] = set()  # streams in flight, to cancel on stop
        #: Guards what the workers share: the cells left, requests in flight, the reservations and the stop reason.
        self._turn = threading.Condition()
        self._pending: deque[Cell] = deque()
        self._in_flight = 0
        self._reason = _StopReason()
        self._ended_trials: queue.SimpleQueue[tuple[float, Trial]] = queue.SimpleQueue()
        self._wake = threading.Event()  # a batch is full, a rate-limit wait began, or a worker is done
        self._requests: dict[tuple[int, int], ChatRequest] = {}  # (prompt, model): built once, sent per repetition
        self._worsts: dict[tuple[int, int], float] = {}  # (prompt, model): its worst case, computed once
        #: Answer checks (issue 19): graded as answers end; judge calls queued, in flight, and what they cost.
        self.checks = checks
        self._judges: deque[JudgeJob] = deque()
        self._judging = 0
        self._judge_spent = 0.0

    def cells(self) -> list[Cell]:
        """Every trial of the run not yet ok: prompt by prompt, each repetition, each model."""
        done = self.trials.ok_cells(self.run.id)
        return [
            (number, repetition, record)
            for number in range(len(self.prompts))
            for repetition in range(self.run.repeat)
            for record in self.records
            if (number, repetition, record.provider, record.model) not in done
        ]

    def check(self, cells: Sequence[Cell]) -> None:
        check_run(self.catalog, self.records, self.prompts, self.settings, cells)

    def stop(self) -> None:
        """Stop starting requests and cancel those in flight (Ctrl-C, or the page's Stop button)."""
        self._stop.set()
        with self._lock:
            for stream in list(self._open):
                stream.cancel()
        with self._turn:
            self._turn.notify_all()

    def execute(self) -> RunOutcome:
        """Send every cell not yet ok, record each trial, and say why the run ended."""
        cells = self.cells()
        self.check(cells)
        self._pending = deque(cells)
        if self.checks is not None:
            self._judges.extend(self.checks.resumed(self.trials))  # answers a killed run never graded
        batch = TrialBatch(self.trials, self.trials.tried_cells(self.run.id))
        tally = _Tally(len(cells), time.perf_counter())
        workers = min(self.settings.concurrency, len(cells))
        judges = self.settings.concurrency if self.checks is not None else 0  # judges have slots of their own
        pool = ThreadPoolExecutor(max_workers=max(workers + judges, 1), thread_name_prefix="run")
        running = [pool.submit(self._work) for _ in range(workers)]
        running += [pool.submit(self._judge_work) for _ in range(judges)]
        try:
            while not all(worker.done() for worker in running):
                self._wake.wait(min(SAVE_WINDOW_S, batch.wait_s()))
                self._wake.clear()
                self._collect(tally, batch)
            for worker in running:
                worker.result()  # a bug in a worker is raised here, after what ended was recorded (finally)
            if self._stop.is_set():
                self._reason.set(INTERRUPTED, "stopped before the end; every finished trial is kept")
        except KeyboardInterrupt:
            self._reason.set(INTERRUPTED, "interrupted; every finished trial is kept (resume with --resume)")
            self.stop()
        except Exception as error:  # a bug, here or in a worker: the run still ends with a status that says so
            self._broken(error)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self._collect(tally, batch)
            try:
                batch.save(now=True)
                self._save_verdicts()
            finally:
                batch.writer.close()
        self.trials.set_status(self.run.id, self._reason.status, self._reason.message)
        spent = tally.spent + self._judge_spent
        return RunOutcome(self.run, self._reason.status, self._reason.message, batch.recorded, spent)

    # The calling thread ------------------------------------------------------------------------------------

    def _collect(self, tally: _Tally, batch: TrialBatch) -> None:
        """Take every trial that ended since the last look: count it, batch it, record the batch when due."""
        ended = self._ended_trials
        while not ended.empty():
            at, trial = ended.get_nowait()
            batch.add(trial, at)
            tally.count(trial)
            if self.on_trial is not None:
                self._tell(self.on_trial, trial)
            if len(batch.unsaved) >= SAVE_EVERY_TRIALS:
                batch.save()
        batch.save()
        if not batch.unsaved:  # a verdict is saved only once its answer is
            self._save_verdicts()
        if self.on_progress is not None:
            self._tell(self.on_progress, tally.progress(self.rate_limits.waiting()))

    def _tell(self, hook: Callable[[T], None], value: T) -> None:
        """Call the caller's `on_trial` or `on_progress`; one that fails stops the run, which still ends properly."""
        try:
            hook(value)
        except Exception as error:
            self._broken(error)

    def _broken(self, error: Exception) -> None:
        """A bug, here, in a worker or in a hook: the run stops, every trial that ended is still recorded, and its
        status says why (by the error's type only: its text could hold anything)."""
        logger.debug("run %s stopped by %r", self.run.id, error, exc_info=error)
        with self._turn:
            self._reason.set(INTERRUPTED, f"stopped by an unexpected error ({type(error).__name__}); every "
                                          "finished trial is kept (resume with --resume)")  # fmt: skip
        self.on_trial = self.on_progress = None  # a hook may be what broke: what is left is only recorded
        self.stop()

    def _save_verdicts(self) -> None:
        """Record the answers graded since the last save (issue 19)."""
        if self.checks is None:
            return
        with self._turn:
            verdicts = self.checks.grader.take()
        if verdicts:
            self.checks.store.record(self.run.id, verdicts)

    # In a worker thread ------------------------------------------------------------------------------------

    def _work(self) -> None:
        """One worker: take a cell, send it, settle it, until none is left or the run stops."""
        try:
            while (taken := self._next()) is not None:
                cell, worst = taken
                trial = None
                started = time.perf_counter()
                try:
                    trial = self._paid(cell) if self.spender is not None else self._attempt(cell)
                except Exception as error:  # the spend ledger, say: the trial is still recorded, as failed
                    trial = self._unforeseen(cell, error, time.perf_counter() - started)
                finally:
                    self._ended(worst, trial)
        finally:
            self._wake.set()

    def _next(self) -> tuple[Cell, float] | None:
        """The next cell and its reserved worst case, once no rate-limit pause holds it back and the budget allows;
        None when none is left, the run stopped, or the budget refuses with nothing in flight to free it."""
        with self._turn:
            while self._pending and not self._stop.is_set():
                paused = self.rate_limits.until - time.monotonic()
                if paused > 0:
                    self._turn.wait(paused)
                    continue
                worst = self._worst(self._pending[0])
                refused = self._reserve(worst)
                if refused is None:
                    self._in_flight += 1
                    return self._pending.popleft(), worst
                if not (self._in_flight or self._judging) or self._overrun() is not None:
                    self._reason.set(STOPPED_BUDGET, refused)
                    self._stop.set()  # nothing more starts; what is in flight ends and is recorded
                    self._turn.notify_all()
                    return None
                self._turn.wait()  # until a request ends and frees its reservation
        return None

    def _reserve(self, worst: float) -> str | None:
        """Reserve `worst` against every source, or against none (and say why) when one refuses."""
        for number, source in enumerate(self.reservations):
            refused = source.reserve(worst)
            if refused is not None:
                for earlier in self.reservations[:number]:
                    earlier.settle(worst, 0.0)
                return refused
        return None

    def _overrun(self) -> str | None:
        """Why no request may start any more, when a reservation source says a reply cost more than it reserved."""
        return next((said for source in self.reservations if (said := source.overrun()) is not None), None)

    def _ended(self, worst: float, trial: Trial | None) -> None:
        """A request ended: its reservations settled at what it cost, any reason to stop taken, its trial queued."""
        with self._turn:
            self._in_flight -= 1
            for source in self.reservations:
                source.settle(worst, _charged(trial))
            if trial is not None and self.checks is not None:
                self._judges.extend(self.checks.after_trial(trial))  # its other checks are decided here
            if trial is not None and trial.outcome in STOPS:
                self._reason.set(STOPS[trial.outcome], trial.error)
                self._stop.set()
            overrun = self._overrun()
            if overrun is not None:
                self._reason.set(STOPPED_BUDGET, overrun)
            self._turn.notify_all()
        if trial is not None:
            self._ended_trials.put((time.monotonic(), trial))
            if self._ended_trials.qsize() >= SAVE_EVERY_TRIALS:
                self._wake.set()

    def _judge_work(self) -> None:
        """One judge worker (issue 19): take the next judge call of an ended answer, send it, settle it."""
        assert self.checks is not None
        try:
            while (job := self._next_judge()) is not None:
                answer, sent = None, not self._stop.is_set()  # a stop first: nothing is sent, nothing spent
                try:
                    if sent:
                        answer = (
                            self._paid_judge(job) if self.spender is not None else self.checks.send(job, self._stop)
                        )
                finally:
                    self._judge_ended(job, answer, sent)
        finally:
            self._wake.set()

    def _next_judge(self) -> JudgeJob | None:
        """The next judge call, its worst case reserved; one the budget refuses with nothing in flight is not
        judged (its answer is kept); None once no answer is left to end and no judge call waits."""
        assert self.checks is not None
        with self._turn:
            while not self._stop.is_set():
                if not self._judges:
                    if not self._pending and not self._in_flight:
                        return None
                    self._turn.wait()
                    continue
                if self._reserve(self._judges[0].worst_usd) is None:
                    self._judging += 1
                    return self._judges.popleft()
                if not (self._in_flight or self._judging):
                    self.checks.not_judged(self._judges.popleft())
                    continue
                self._turn.wait()  # until a request ends and frees its reservation
        return None

    def _paid_judge(self, job: JudgeJob) -> JudgeAnswer | None:
        """A judge call on the operator's credential: held in the spend ledger like a request; refused, not judged.
        A call a stop cut off (None) may still be billed for the tokens it used: its worst case stays counted."""
        assert self.spender is not None and self.checks is not None
        if self._stop.is_set():
            return None  # nothing sent, nothing held
        try:
            with self.spender.hold(job.worst_usd) as hold:
                answer = self.checks.send(job, self._stop)
                hold.spent(None if answer is None else answer.cost_usd, None)
                return answer
        except CapReached as refused:
            return JudgeAnswer(job, CheckResult("judge", None, str(refused)))

    def _judge_ended(self, job: JudgeJob, answer: JudgeAnswer | None, sent: bool = True) -> None:
        """A judge call ended: its reservations settled at what it cost, its verdict in place. A call a stop cut
        off (no answer) may still be billed for what it used: the budget keeps its worst case as spent."""
        assert self.checks is not None
        cost = answer.cost_usd if answer is not None else (None if sent else 0.0)
        with self._turn:
            self._judging -= 1
            for source in self.reservations:
                source.settle(job.worst_usd, cost)
            if answer is not None:
                self._judge_spent += answer.cost_usd or 0.0
                self.checks.judged(answer)
            self._turn.notify_all()
        self._wake.set()

    def _worst(self, cell: Cell) -> float:
        key = (cell[0], id(cell[2]))
        worst = self._worsts.get(key)
        if worst is None:
            worst = self._worsts[key] = worst_case_usd(cell[2], self.prompts[cell[0]], self.settings.max_tokens)
        return worst

    def _request(self, number: int, record: ModelRecord) -> ChatRequest:
        key = (number, id(record))
        request = self._requests.get(key)
        if request is None:
            prompt = self.prompts[number]
            messages = tuple(Message(role, content) for role, content in prompt.messages)
            tokens = reply_tokens(prompt, self.settings.max_tokens, _limit(record.model))
            params = ChatParams(self.settings.temperature, max_tokens=tokens)
            request = self._requests[key] = chat_request(self.catalog, record, messages, params, self.hosts)
        return request

    def _paid(self, cell: Cell) -> Trial | None:
        assert self.spender is not None
        where = (self.run.id, cell[0], cell[1])
        attempt = lambda: self._attempt(cell)  # noqa: E731
        return paid_attempt(self.spender, self._worst(cell), attempt, cell[2], where, self.prompts[cell[0]].chars)

    def _attempt(self, cell: Cell) -> Trial | None:
        """One trial in a worker thread: the reply's trial, a failure's trial, or None when cancelled by a stop.

        Never an exception: one that is no `GatewayError` (a bug, an input nothing here foresaw) is the trial's
        failure too, so a paid request is always recorded and the run still ends with a status.
        """
        started = time.perf_counter()
        try:
            return self._tries(cell)
        except Exception as error:
            return self._unforeseen(cell, error, time.perf_counter() - started)

    def _unforeseen(self, cell: Cell, error: Exception, elapsed_s: float) -> Trial:
        """The trial of a request that met an exception no `GatewayError` describes, named by its type only (its
        text could hold anything). A reply that had begun may be billed: it is flagged incomplete, with the usage
        and cost that had arrived (unknown, the budget keeps its worst case); before any reply, a failure."""
        number, repetition, record = cell
        logger.debug("run %s, prompt %s: unforeseen %r", self.run.id, number, error, exc_info=error)
        chars = self.prompts[number].chars
        where = {"run_id": self.run.id, "prompt_number": number, "repetition": repetition}
        if isinstance(error, _ReadFailed):
            what = type(error.error).__name__
            trial = trial_from_result(error.result, record, origin="run", prompt_chars=chars,
                                      keep_text=self.settings.keep_text, **where)  # fmt: skip
            message = f"The reply could not be read to its end ({what}); the reply is incomplete."
            return trial._replace(outcome="incomplete", error=message)
        failure = GatewayError(f"The request failed unexpectedly ({type(error).__name__}); no reply was read.")
        return trial_from_error(failure, record, origin="run", prompt_chars=chars, total_s=elapsed_s, **where)

    def _tries(self, cell: Cell) -> Trial | None:
        number, repetition, record = cell
        prompt = self.prompts[number]
        request = self._request(number, record)
        where = {"run_id": self.run.id, "prompt_number": number, "repetition": repetition}
        last: GatewayError = RateLimited("Rate limited on every try.", status=429)
        for _ in range(RATE_LIMIT_TRIES):
            if self._stop.is_set():
                return None
            started = time.perf_counter()
            try:
                result = self._send(request)
            except RateLimited as error:
                wait_s = self.rate_limits.pause(record.model, error)
                if wait_s is None:
                    last = self.rate_limits.beyond(record.model, error)
                    break
                self._wake.set()  # the calling thread shows the wait at once
                self._stop.wait(wait_s)
                last = error
                continue
            except GatewayError as error:
                elapsed = time.perf_counter() - started
                return trial_from_error(error, record, origin="run", prompt_chars=prompt.chars, total_s=elapsed,
                                        **where)  # fmt: skip
            if isinstance(result.error, Cancelled) and self._stop.is_set():
                return None
            if isinstance(result.error, AuthenticationFailed | PaymentRequired):
                return trial_from_error(result.error, record, origin="run", prompt_chars=prompt.chars, **where)
            return trial_from_result(
                result, record, origin="run", prompt_chars=prompt.chars, keep_text=self.settings.keep_text, **where
            )
        return trial_from_error(last, record, origin="run", prompt_chars=prompt.chars, **where)

    def _send(self, request: ChatRequest) -> ChatResult:
        """Stream one reply to its end (cancellable by `stop`) and return it."""
        with self.client.stream(request) as reply:
            with self._lock:
                self._open.add(reply)
            try:
                for _delta in reply:
                    pass
            except Exception as error:  # a GatewayError never gets here: the reply keeps it as its `error`
                raise _ReadFailed(error, reply.result) from error
            finally:
                with self._lock:
                    self._open.discard(reply)
            return reply.result


class _ReadFailed(Exception):
    """Reading a reply met an exception that is no `GatewayError` (`error`); `result` is what had arrived."""

    def __init__(self, error: Exception, result: ChatResult) -> None:
        super().__init__(type(error).__name__)
        self.error, self.result = error, result


def _charged(trial: Trial | None) -> float | None:
    """What an ended request cost as the budget counts it: its cost; None (so its worst case) when a reply came
    with usage not believed; 0 when no reply came (an error before it, or cancelled by a stop)."""
    if trial is None:
        return 0.0
    if trial.cost_usd is not None or trial.outcome not in ("ok", "incomplete"):
        return trial.cost_usd or 0.0
    return None


class _Tally:
    """The dispatcher's counts: requests in flight, trials done, errors, and what they cost (where known)."""

    def __init__(self, total: int, started: float) -> None:
        self.total, self.started = total, started
        self.in_flight = self.done = self.errors = 0
        self.spent = 0.0

    def count(self, trial: Trial) -> None:
        self.done += 1
        self.errors += not trial.ok
        self.spent += trial.cost_usd or 0.0

    def progress(self, waiting: str | None) -> Progress:
        return Progress(self.done, self.total, self.spent, self.errors, time.perf_counter() - self.started, waiting)


def _seconds(seconds: float) -> str:
    """`0.3 s`, `12 s`: a wait as the live line shows it."""
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:,.0f} s"


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


class BackgroundRun:
    """A run executing in its own thread (the Runs page polls it): latest progress, outcome, stop.

    It owns the client and closes it when the run ends; nothing here touches Streamlit.
    """

    def __init__(self, runner: Runner, around: Callable[[], AbstractContextManager[object]] | None = None) -> None:
        self.runner = runner
        self.around = around  # held while the run executes (its lease, in the dashboard)
        self.progress: Progress | None = None
        self.outcome: RunOutcome | None = None
        self.error: str | None = None
        runner.on_progress = self._progressed
        self._thread = threading.Thread(target=self._execute, name=f"run-{runner.run.id}", daemon=True)

    @property
    def run_id(self) -> int:
        return self.runner.run.id

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> BackgroundRun:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.runner.stop()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _progressed(self, progress: Progress) -> None:
        self.progress = progress

    def _execute(self) -> None:
        try:
            with self.around() if self.around is not None else nullcontext():
                self.outcome = self.runner.execute()
        except CatalogError as error:  # the store became unwritable, a run that cannot start: say so on the page
            self.error = str(error)
        finally:
            self.runner.client.close()
