"""Runs: every prompt × model × repetition sent through the gateway, each reply recorded as a trial.

Concurrency is a thread pool sharing one `GatewayClient`, not asyncio: the client, its streaming reader
and its deadline handling are synchronous httpx, already thread-safe and tested; one thread per request in
flight (at most `concurrency`, ≤ 32) costs little next to a network reply, and keeps one code path for the
playground and runs. The dispatching thread alone reserves budget, records trials and reports progress, so
there is one writer to the store and no lock around the budget's arithmetic besides the dispatcher itself.

Stops, each recorded on the run: the budget (no request starts whose worst case could pass `max_usd`),
a 401/403 or 402 (nothing more can succeed), Ctrl-C (requests in flight are cancelled and not recorded;
every finished trial is kept). A 429 pauses new requests for its `Retry-After` and the trial is tried again.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from catalog.costs import request_cost, usd
from catalog.gateway.client import GatewayClient, RetryPolicy
from catalog.gateway.config import ConfigError
from catalog.gateway.errors import AuthenticationFailed, Cancelled, GatewayError, PaymentRequired, RateLimited
from catalog.gateway.messages import ChatParams, Message
from catalog.gateway.stream import ChatStream
from catalog.gateway.targets import TRUSTED_TARGET_HOSTS, chat_request
from catalog.records import Catalog, CatalogError, ModelRecord
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
from catalog.spend import Spender

MAX_CONCURRENCY = 32
#: A 429 is waited out this many times for one trial before it is recorded as rate limited.
RATE_LIMIT_TRIES = 20
#: Wait after a 429 without Retry-After, and the longest Retry-After honoured, in seconds.
DEFAULT_RATE_WAIT_S, MAX_RATE_WAIT_S = 1.0, 120.0
#: The budget's worst case counts this many prompt tokens per character (tokenizers average ~0.25; 0.5 is safe
#: for prose and code) plus a few per message for the chat template.
TOKENS_PER_CHAR, TOKENS_PER_MESSAGE = 0.5, 8
#: Trials that ended are recorded together at most this often (and whenever none is in flight, or the run
#: stops): one transaction per ended trial made the store, through the GIL, the bottleneck of a fast run.
SAVE_EVERY_S = 0.1
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


def worst_case_usd(record: ModelRecord, prompt: Prompt, max_tokens: int | None) -> float:
    """The most one request can cost: the prompt's tokens estimated generously, plus every token it may write."""
    prompt_tokens = math.ceil(prompt.chars * TOKENS_PER_CHAR) + TOKENS_PER_MESSAGE * len(prompt.messages)
    return request_cost(record, prompt_tokens, prompt.max_tokens or max_tokens or 0)


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
        cheapest = min(worst_case_usd(record, prompts[n], settings.max_tokens) for n, _, record in todo)
        if cheapest > cap:
            raise RunError(
                f"the budget {usd(cap, 6)} is below the worst case of one request ({usd(cheapest, 8)}: the prompt's "
                "tokens estimated generously and every --max-tokens token); raise --max-usd or lower --max-tokens"
            )


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    spent_usd: float
    errors: int
    elapsed_s: float

    @property
    def left_s(self) -> float | None:
        """Time left at the pace so far; None before the first trial ends."""
        if not self.done:
            return None
        return self.elapsed_s / self.done * (self.total - self.done)

    def line(self) -> str:
        left = "" if self.left_s is None else f" · ~{_duration(self.left_s)} left"
        errors = f" · {self.errors} error{'s' if self.errors != 1 else ''}"
        return f"{self.done}/{self.total} trials · {usd(self.spent_usd, 6)} spent{errors}{left}"


@dataclass(frozen=True, slots=True)
class RunOutcome:
    run: Run
    status: str
    message: str | None
    recorded: int
    spent_usd: float


class Runner:
    """Sends a run's remaining trials and records each as it ends; `stop()` may be called from any thread."""

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
        spender: Spender | None = None,
    ) -> None:
        self.trials, self.client, self.catalog, self.run = trials, client, catalog, run
        #: Set when the run spends the operator's credential for a dashboard visitor: each request is held first.
        self.spender = None if spender is None else spender.for_run(run.id)
        self.hosts = hosts  # the chat hosts requests may go to (the operator's, as in the playground)
        self.prompts, self.records = list(prompts), list(records)
        self.settings: RunSettings = run.settings
        self.on_progress, self.on_trial = on_progress, on_trial
        self._stop = threading.Event()
        self._pause_until = 0.0
        self._lock = threading.Lock()
        self._open: set[ChatStream] = set()  # streams in flight, to cancel on stop
        self.params = ChatParams(temperature=self.settings.temperature, max_tokens=self.settings.max_tokens)

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

    def execute(self) -> RunOutcome:
        cells = self.cells()
        self.check(cells)
        retried = self.trials.tried_cells(self.run.id)  # failed before: their row is replaced when they end
        status, message = FINISHED, None
        pending: deque[Cell] = deque(cells)
        started, spent, reserved, recorded, errors, done = time.perf_counter(), 0.0, 0.0, 0, 0, 0
        cap = self.settings.max_usd
        in_flight: dict[Future[Trial | None], tuple[Cell, float]] = {}
        unsaved: list[Trial] = []
        saved_at = time.monotonic()

        def save() -> int:
            """Record the trials that ended since the last save, in one transaction."""
            if not unsaved:
                return 0
            batch = list(unsaved)
            self.trials.record_many(batch, replacing=any(trial.cell in retried for trial in batch))
            unsaved.clear()
            return len(batch)

        def progress() -> None:
            if self.on_progress is not None:
                self.on_progress(Progress(done, len(cells), spent, errors, time.perf_counter() - started))

        pool = ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="run")
        try:
            while (pending or in_flight) and not (self._stop.is_set() and not in_flight):
                startable = pending and not self._stop.is_set() and len(in_flight) < self.settings.concurrency
                if startable and time.monotonic() >= self._pause_until:
                    cost = self._worst(pending[0])
                    if cap is None or spent + reserved + cost <= cap:
                        cell = pending.popleft()
                        reserved += cost
                        in_flight[pool.submit(self._paid if self.spender else self._attempt, cell)] = (cell, cost)
                        continue
                    if not in_flight:
                        status = STOPPED_BUDGET
                        message = (
                            f"stopped for the budget: {usd(spent, 6)} spent of {usd(cap, 6)}; the next request "
                            f"could cost up to {usd(cost, 8)}"
                        )
                        break
                    startable = False  # wait for a request to end and free its reservation
                timeout = 0.5 if not startable else max(0.01, self._pause_until - time.monotonic())
                finished, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
                for future in finished:
                    cell, cost = in_flight.pop(future)
                    reserved -= cost
                    trial = future.result()
                    if trial is None:
                        continue  # cancelled by a stop: not recorded, a resume runs it
                    unsaved.append(trial)
                    done, spent, errors = done + 1, spent + (trial.cost_usd or 0.0), errors + (not trial.ok)
                    if self.on_trial is not None:
                        self.on_trial(trial)
                    if trial.outcome in STOPS and status == FINISHED:
                        status, message = STOPS[trial.outcome], trial.error
                        self._stop.set()
                if unsaved and (time.monotonic() - saved_at >= SAVE_EVERY_S or not in_flight or self._stop.is_set()):
                    recorded += save()
                    saved_at = time.monotonic()
                progress()
            if status == FINISHED and self._stop.is_set():
                status, message = INTERRUPTED, "stopped before the end; every finished trial is kept"
        except KeyboardInterrupt:
            self.stop()
            status, message = INTERRUPTED, "interrupted; every finished trial is kept (resume with --resume)"
            for future, _ in list(in_flight.items()):
                trial = future.result()
                if trial is not None:
                    unsaved.append(trial)
                    spent += trial.cost_usd or 0.0
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            recorded += save()
        self.trials.set_status(self.run.id, status, message)
        return RunOutcome(self.run, status, message, recorded, spent)

    def _worst(self, cell: Cell) -> float:
        return worst_case_usd(cell[2], self.prompts[cell[0]], self.settings.max_tokens)

    def _paid(self, cell: Cell) -> Trial | None:
        assert self.spender is not None
        where = (self.run.id, cell[0], cell[1])
        attempt = lambda: self._attempt(cell)  # noqa: E731
        return paid_attempt(self.spender, self._worst(cell), attempt, cell[2], where, self.prompts[cell[0]].chars)

    def _attempt(self, cell: Cell) -> Trial | None:
        """One trial in a worker thread: the reply's trial, a failure's trial, or None when cancelled by a stop."""
        number, repetition, record = cell
        prompt = self.prompts[number]
        messages = tuple(Message(role, content) for role, content in prompt.messages)
        params = self.params if prompt.max_tokens is None else ChatParams(
            temperature=self.params.temperature, max_tokens=prompt.max_tokens
        )  # fmt: skip
        request = chat_request(self.catalog, record, messages, params, self.hosts)
        where = {"run_id": self.run.id, "prompt_number": number, "repetition": repetition}
        for _ in range(RATE_LIMIT_TRIES):
            if self._stop.is_set():
                return None
            started = time.perf_counter()
            try:
                with self.client.stream(request) as reply:
                    with self._lock:
                        self._open.add(reply)
                    try:
                        for _delta in reply:
                            pass
                    finally:
                        with self._lock:
                            self._open.discard(reply)
                    result = reply.result
            except RateLimited as error:
                wait_s = min(error.retry_after if error.retry_after is not None else DEFAULT_RATE_WAIT_S,
                             MAX_RATE_WAIT_S)  # fmt: skip
                with self._lock:
                    self._pause_until = max(self._pause_until, time.monotonic() + wait_s)
                self._stop.wait(wait_s)
                last: GatewayError = error
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
