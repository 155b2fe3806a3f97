"""Grading a run's answers: every check decided the moment an answer ends, a `judge` check sent to a judge model
through the same gateway client, credentials and trusted targets as the run (issue 19).

`RunChecks` is what the runner holds: after each ok trial it decides the non-judge checks at once and hands back
judge jobs, which the runner sends from its own pool (so judge calls overlap with the answers' requests), each
with its worst case reserved in the run's budget first. A judge that fails (an error, a timeout, a reply that is
no verdict) or whose worst case would pass `--max-usd` leaves that check not judged; the answer's trial and cost
are kept either way. Verdicts are saved with the trials; one already recorded is never judged again.

`rejudge` grades a finished run's stored answers again (optionally with another judge) as a new judging, without
sending any prompt: the old judging is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from catalog.costs import prompt_token_bound, request_cost
from catalog.gateway.client import GatewayClient
from catalog.gateway.config import ConfigError
from catalog.gateway.errors import GatewayError
from catalog.gateway.messages import ChatParams, Message
from catalog.gateway.targets import TRUSTED_TARGET_HOSTS, chat_request
from catalog.history.store import Store
from catalog.records import Catalog, CatalogError, ModelRecord
from catalog.runs.check_store import CheckStore
from catalog.runs.checks import Check, CheckResult, judge_messages, passed, read_verdict, run_checks
from catalog.runs.grading import Cell, TrialVerdict
from catalog.runs.prompts import Prompt
from catalog.runs.store import TrialStore
from catalog.runs.trials import Run, RunSettings, Trial

#: What a judge may write: a verdict is a short JSON object, but a reasoning judge thinks first.
JUDGE_MAX_TOKENS = 512
#: Judges grade, they do not create: the same rubric and answer should get the same verdict.
JUDGE_TEMPERATURE = 0.0
JUDGE_PARAMS = ChatParams(temperature=JUDGE_TEMPERATURE, max_tokens=JUDGE_MAX_TOKENS)
NOT_IN_BUDGET = "not judged: the judge's worst case would pass --max-usd"


class JudgeError(CatalogError):
    """A judge check with no judge named, an unknown judge model, or one whose target is not trusted."""


@dataclass(frozen=True, slots=True)
class JudgeJob:
    """One judge check of one answer: which answer, which of its checks, who judges, and what is sent."""

    cell: Cell
    index: int  # the check's place among the prompt's checks
    record: ModelRecord
    messages: tuple[tuple[str, str], ...]

    @property
    def worst_usd(self) -> float:
        """The most this judge call can cost: what is sent at the runner's bound (every UTF-8 byte a token, plus a few
        a message), plus every token the judge may write."""
        sent = prompt_token_bound(content for _, content in self.messages)
        return float(request_cost(self.record, sent, JUDGE_MAX_TOKENS))


@dataclass(frozen=True, slots=True)
class JudgeAnswer:
    """What a judge call came back with: its verdict (or not judged, and why) and what it cost."""

    job: JudgeJob
    result: CheckResult
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None


def judge_specs(checks: Iterable[Check]) -> set[str | None]:
    """The judges the checks name (None: the run's `--judge`)."""
    return {check.judge for check in checks if check.type == "judge"}


def resolve_judges(
    catalog: Catalog,
    checks: Iterable[Check],
    default: str | None,
    resolve: Callable[[Catalog, Sequence[str]], list[ModelRecord]],
    hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
    *,
    instead: str | None = None,
) -> dict[str | None, ModelRecord]:
    """Each judge the checks need, as a catalog model whose chat target is trusted; `JudgeError` before anything
    is sent when a judge check has no judge (`--judge` nor its own), or names one the catalog does not sell.

    `instead` (`report --rejudge --judge M`) judges every judge check, those naming their own judge too: only it
    is resolved and checked, so M goes through the same trust check as any judge.
    """
    specs = sorted(judge_specs(checks), key=lambda s: s or "")
    if instead is not None:
        judge = resolve_judge(catalog, instead, resolve, hosts)
        return dict.fromkeys(specs, judge)
    judges: dict[str | None, ModelRecord] = {}
    for spec in specs:
        name = spec if spec is not None else default
        if name is None:
            raise JudgeError('a judge check needs a judge: pass --judge MODEL, or give the check "judge": "P:MODEL"')
        judges[spec] = resolve_judge(catalog, name, resolve, hosts)
    return judges


def resolve_judge(
    catalog: Catalog,
    name: str,
    resolve: Callable[[Catalog, Sequence[str]], list[ModelRecord]],
    hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
) -> ModelRecord:
    """One judge by name (a model id or PROVIDER:MODEL): a catalog model whose chat request can be made to a
    trusted target; a `JudgeError` naming it otherwise (unknown, ambiguous, no chat URL, untrusted host)."""
    try:
        record = resolve(catalog, [name])[0]
        chat_request(catalog, record, (Message("user", "check"),), JUDGE_PARAMS, hosts)
    except (CatalogError, ConfigError) as error:
        raise JudgeError(f"the judge {name[:200]!r}: {error}") from None
    return record


def prompt_text(messages: Sequence[tuple[str, str]]) -> str:
    """The prompt as the judge reads it: the text alone for one user message, else each message with its role."""
    if len(messages) == 1:
        return messages[0][1]
    return "\n\n".join(f"{role}: {content}" for role, content in messages)


def send_judge(
    client: GatewayClient,
    catalog: Catalog,
    job: JudgeJob,
    hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
    stop: threading.Event | None = None,
) -> JudgeAnswer | None:
    """One judge call in a worker thread; None when a stop came first (the check is left for a resume)."""
    if stop is not None and stop.is_set():
        return None
    messages = tuple(Message(role, content) for role, content in job.messages)
    try:
        request = chat_request(catalog, job.record, messages, JUDGE_PARAMS, hosts)
    except ConfigError as error:  # no chat URL, or not a trusted one: nothing was sent
        return JudgeAnswer(job, CheckResult("judge", None, f"not judged: {error}"[:500]))
    try:
        with client.stream(request) as reply:
            for _delta in reply:
                if stop is not None and stop.is_set():
                    reply.cancel()
            result = reply.result
    except GatewayError as error:
        return JudgeAnswer(job, CheckResult("judge", None, f"not judged: the judge's request failed ({error})"[:500]))
    usage = result.usage
    inp, out = (None, None) if usage is None else (usage.prompt_tokens, usage.completion_tokens)
    if stop is not None and stop.is_set() and not result.complete:
        return None
    if not result.complete:
        why = f"not judged: the judge's reply did not complete ({result.error})"[:500]
        return JudgeAnswer(job, CheckResult("judge", None, why), inp, out, result.cost_usd)
    verdict = read_verdict(result.content)
    if verdict.passed is None:
        verdict = verdict._replace(reason=f"not judged: {verdict.reason}")
    return JudgeAnswer(job, verdict, inp, out, result.cost_usd)


@dataclass
class _Open:
    """An answer whose judge checks are still out: its results so far and the judges' tokens and cost."""

    results: list[CheckResult]
    waiting: int
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None


def _plus(total: int | float | None, value: int | float | None) -> int | float | None:
    return total if value is None else (value if total is None else total + value)


@dataclass
class Grader:
    """The bookkeeping of one judging: checks per prompt, answers whose judges are out, verdicts not yet saved.

    Only the dispatching thread calls it (as the runner's budget), so it takes no lock.
    """

    checks: Mapping[int, tuple[Check, ...]]
    judges: Mapping[str | None, ModelRecord]
    prompts: Mapping[int, tuple[tuple[str, str], ...]]
    judging: int = 1
    unsaved: list[TrialVerdict] = field(default_factory=list)
    _open: dict[Cell, _Open] = field(default_factory=dict)

    def checks_for(self, number: int | None) -> tuple[Check, ...]:
        return self.checks.get(number, ()) if number is not None else ()

    def after_trial(self, trial: Trial) -> list[JudgeJob]:
        """An ended trial: its non-judge checks decided now; its judge checks handed back as jobs to send."""
        checks = self.checks_for(trial.prompt_number)
        if not checks or not trial.ok:
            return []
        cell: Cell = (trial.prompt_number or 0, trial.repetition or 0, trial.provider, trial.model)
        answer = trial.reply_text or ""
        results = list(run_checks(checks, answer))
        jobs = []
        prompt = prompt_text(self.prompts.get(cell[0], ()))
        for index, check in enumerate(checks):
            if check.type == "judge":
                messages = judge_messages(str(check.value), prompt, answer)
                jobs.append(JudgeJob(cell, index, self.judges[check.judge], messages))
        if not jobs:
            self.unsaved.append(TrialVerdict(cell, tuple(results), passed(results), self.judging))
            return []
        self._open[cell] = _Open(results, len(jobs))
        return jobs

    def judged(self, answer: JudgeAnswer) -> None:
        """A judge's answer: its result in place; the trial's verdict once its last judge answered."""
        found = self._open.get(answer.job.cell)
        if found is None:
            return
        found.results[answer.job.index] = answer.result
        found.input_tokens = _plus(found.input_tokens, answer.input_tokens)  # type: ignore[assignment]
        found.output_tokens = _plus(found.output_tokens, answer.output_tokens)  # type: ignore[assignment]
        found.cost_usd = _plus(found.cost_usd, answer.cost_usd)
        found.waiting -= 1
        if found.waiting == 0:
            del self._open[answer.job.cell]
            results = tuple(found.results)
            self.unsaved.append(
                TrialVerdict(answer.job.cell, results, passed(results), self.judging, found.input_tokens,
                             found.output_tokens, found.cost_usd)
            )  # fmt: skip

    def not_judged(self, job: JudgeJob, reason: str) -> None:
        """A judge check that will not be sent (its worst case would pass the budget)."""
        self.judged(JudgeAnswer(job, CheckResult("judge", None, reason)))

    def take(self) -> list[TrialVerdict]:
        """The verdicts decided since the last take, to save."""
        taken, self.unsaved = self.unsaved, []
        return taken


class RunChecks:
    """A run's checks as the runner meets them: grading after each trial, judge jobs, saving the verdicts."""

    def __init__(
        self,
        checks: CheckStore,
        run: Run,
        grader: Grader,
        client: GatewayClient,
        catalog: Catalog,
        hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
    ) -> None:
        self.store, self.run, self.grader = checks, run, grader
        self.client, self.catalog, self.hosts = client, catalog, hosts
        #: What the judge calls that came back cost this time (a part of the run's spending, told apart).
        self.spent_usd = 0.0

    def resumed(self, trials: TrialStore) -> list[JudgeJob]:
        """On a resume: the ok trials graded not yet (killed during judging) graded now; their judge jobs."""
        done = set(self.store.verdicts(self.run.id, self.grader.judging))
        jobs: list[JudgeJob] = []
        for trial in trials.trials(self.run.id):
            if trial.ok and (trial.prompt_number, trial.repetition, trial.provider, trial.model) not in done:
                jobs.extend(self.grader.after_trial(trial))
        return jobs

    def after_trial(self, trial: Trial) -> list[JudgeJob]:
        return self.grader.after_trial(trial)

    def send(self, job: JudgeJob, stop: threading.Event) -> JudgeAnswer | None:
        return send_judge(self.client, self.catalog, job, self.hosts, stop)

    def judged(self, answer: JudgeAnswer) -> None:
        self.spent_usd += answer.cost_usd or 0.0
        self.grader.judged(answer)

    def not_judged(self, job: JudgeJob) -> None:
        self.grader.not_judged(job, NOT_IN_BUDGET)

    def save(self) -> int:
        return self.store.record(self.run.id, self.grader.take())


@dataclass(frozen=True, slots=True)
class RejudgeOutcome:
    judging: int
    verdicts: int
    judge_cost_usd: float
    not_judged: int


def rejudge(
    trials: TrialStore,
    checks: CheckStore,
    client: GatewayClient,
    catalog: Catalog,
    run: Run,
    judges: Mapping[str | None, ModelRecord],
    *,
    hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
    max_usd: float | None = None,
) -> RejudgeOutcome:
    """Grade every stored ok answer of `run` again as a new judging (no prompt is sent again; the old judging
    is kept). Judge calls run `run.settings.concurrency` at a time, each worst case reserved within `max_usd`."""
    prompt_checks = checks.prompt_checks(run.id)
    if not prompt_checks:
        raise JudgeError(f"run {run.id} has no checks to judge")
    prompts = {p.number: p.messages for p in trials.prompts(run.id)}
    judging = (checks.judgings(run.id) or [0])[-1] + 1
    grader = Grader(prompt_checks, judges, prompts, judging)
    pending: list[JudgeJob] = []
    for trial in trials.trials(run.id):
        if trial.ok and trial.reply_text is None and grader.checks_for(trial.prompt_number):
            raise JudgeError(f"run {run.id} kept no answers' text, so there is nothing to judge again")
        pending.extend(grader.after_trial(trial))
    spent, reserved, refused = 0.0, 0.0, 0
    stop = threading.Event()
    in_flight: dict[Future[JudgeAnswer | None], float] = {}
    with ThreadPoolExecutor(max_workers=run.settings.concurrency, thread_name_prefix="judge") as pool:
        try:
            while pending or in_flight:
                while pending and len(in_flight) < run.settings.concurrency:
                    job = pending[0]
                    if max_usd is not None and spent + reserved + job.worst_usd > max_usd:
                        if in_flight:
                            break  # a call in flight may free its reservation
                        grader.not_judged(pending.pop(0), NOT_IN_BUDGET)
                        refused += 1
                        continue
                    pending.pop(0)
                    reserved += job.worst_usd
                    in_flight[pool.submit(send_judge, client, catalog, job, hosts, stop)] = job.worst_usd
                if not in_flight:
                    continue
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    reserved -= in_flight.pop(future)
                    answer = future.result()
                    if answer is not None:
                        spent += answer.cost_usd or 0.0
                        refused += answer.result.passed is None
                        grader.judged(answer)
        except KeyboardInterrupt:
            stop.set()
            raise
        finally:
            saved = checks.record(run.id, grader.take())
    return RejudgeOutcome(judging, saved, spent, refused)


def prompt_checks(prompts: Sequence[Prompt]) -> dict[int, tuple[Check, ...]]:
    """Each prompt number's checks (prompts without any are left out)."""
    return {number: prompt.checks for number, prompt in enumerate(prompts) if prompt.checks}


def judges_for_run(
    catalog: Catalog,
    checks: Mapping[int, tuple[Check, ...]],
    settings: RunSettings,
    resolve: Callable[[Catalog, Sequence[str]], list[ModelRecord]],
    hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
) -> dict[str | None, ModelRecord]:
    """Everything about a run's checks that would fail before a request is sent: answers' text not kept (checks
    read it), a judge check without a judge, an unknown or untrusted judge."""
    if checks and not settings.keep_text:
        raise JudgeError("the prompts carry checks, which read the answers, but CATALOG_RUNS_KEEP_TEXT=0 keeps none")
    return resolve_judges(catalog, (c for found in checks.values() for c in found), settings.judge, resolve, hosts)


def run_checks_for(
    store: Store,
    run: Run,
    checks: Mapping[int, tuple[Check, ...]],
    judges: Mapping[str | None, ModelRecord],
    prompts: Sequence[Prompt],
    client: GatewayClient,
    catalog: Catalog,
    hosts: frozenset[str] = TRUSTED_TARGET_HOSTS,
) -> RunChecks | None:
    """The runner's hook for a run with checks (None without: the run goes as it did before checks existed)."""
    if not checks:
        return None
    grader = Grader(checks, judges, {number: prompt.messages for number, prompt in enumerate(prompts)})
    return RunChecks(CheckStore(store), run, grader, client, catalog, hosts)
