"""Runs and trials in the store: every measured reply, and the runs of prompts × models that made most of them.

Plain values in, plain values out (the records of `catalog.runs.trials`); nothing here knows a gateway type.
A run's trial is one row per (run, prompt, repetition, provider, model): recording it again replaces a row
that did not succeed, and an ok row is never replaced (`AlreadyRecorded`), so a resumed run records no trial twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from catalog.history.schema import run_prompts, runs, trials
from catalog.history.store import Store, StoreError
from catalog.runs.trials import RUNNING, ModelName, Run, RunPrompt, RunSettings, Trial, now


class AlreadyRecorded(StoreError):
    """A run's trial that is already recorded as ok was recorded again."""


_TRIAL_FIELDS = Trial._fields
_new_trial = tuple.__new__
_TRIAL_COLUMNS = _TRIAL_FIELDS[:-1]  # `id` is the last field: the store gives it
if _TRIAL_FIELDS[-1] != "id":
    raise ImportError("Trial's last field must be `id`: _insert writes every field before it by position")


class TrialStore:
    """Runs, their prompts and trials, in the history database that `store` opened."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # Runs ----------------------------------------------------------------------------------------------------

    def create_run(
        self,
        name: str,
        models: Sequence[ModelName],
        prompts: Sequence[RunPrompt],
        repeat: int,
        settings: RunSettings,
    ) -> Run:
        """A new run with its prompts (their text only when `settings.keep_text`), status running."""
        created = now()
        with self.store._connect("written", write=True) as connection:
            run_id = connection.execute(
                runs.insert()
                .values(
                    name=name[:200], created_at=created, status=RUNNING, prompts=len(prompts), repeat=repeat,
                    models=json.dumps([list(m) for m in models]), settings=json.dumps(asdict(settings)),
                )
                .returning(runs.c.id)
            ).scalar_one()  # fmt: skip
            if prompts:
                connection.execute(
                    run_prompts.insert(),
                    [
                        {
                            "run_id": run_id, "number": p.number, "label": p.label[:200], "sha256": p.sha256,
                            "chars": p.chars,
                            "messages": _prompt_json(p) if settings.keep_text else None,
                        }
                        for p in prompts
                    ],
                )  # fmt: skip
        return Run(run_id, name[:200], created, RUNNING, len(prompts), repeat, tuple(models), settings)

    def set_status(self, run_id: int, status: str, message: str | None = None) -> None:
        with self.store._connect("written", write=True) as connection:
            values: dict[str, Any] = {"status": status, "message": message[:1000] if message else None}
            connection.execute(runs.update().where(runs.c.id == run_id).values(**values))

    def run(self, run_id: int) -> Run | None:
        with self.store._connect("read") as connection:
            row = connection.execute(sa.select(runs).where(runs.c.id == run_id)).first()
        return None if row is None else _run(row)

    def runs(self) -> list[Run]:
        """Every run, newest first."""
        with self.store._connect("read") as connection:
            rows = connection.execute(sa.select(runs).order_by(runs.c.id.desc())).all()
        return [_run(row) for row in rows]

    def prompts(self, run_id: int) -> list[RunPrompt]:
        table = run_prompts
        with self.store._connect("read") as connection:
            rows = connection.execute(sa.select(table).where(table.c.run_id == run_id).order_by(table.c.number)).all()
        return [_run_prompt(row) for row in rows]

    # Trials --------------------------------------------------------------------------------------------------

    def record(self, trial: Trial) -> Trial:
        """Store one trial in its own transaction (a killed process keeps every trial recorded before it)."""
        return self.record_many([trial])[0]

    def record_many(self, batch: Sequence[Trial], *, replacing: bool = True) -> list[Trial]:
        """Store trials that ended together in one transaction: all of them, or (on an error) none.

        Two statements whatever the batch's size: a run records its trials as fast as they end. A failed try
        of the same run cell is replaced; an ok one makes the whole batch fail with `AlreadyRecorded`. A caller
        that knows no cell of the batch was tried before passes `replacing=False` and saves the delete.
        """
        with self.store._connect("written", write=True) as connection:
            return _insert(connection, batch, replacing)

    def writer(self) -> TrialWriter:
        """One connection kept for many batches (a run's): each batch its own transaction, no checkout apiece."""
        return TrialWriter(self.store)

    def trials(
        self,
        run_id: int | None = None,
        *,
        origin: str | None = None,
        prompt_number: int | None = None,
        with_text: bool = True,
    ) -> list[Trial]:
        """A run's trials (or every trial, those of one origin, of one prompt), in the order they were recorded.

        Without `with_text` the replies' text is not read (a report needs only the figures: 10,000 trials of a
        run read in a fraction of the time).
        """
        columns = [
            trials.c[name] if with_text or name != "reply_text" else sa.null().label(name) for name in _TRIAL_FIELDS
        ]
        query = sa.select(*columns).order_by(trials.c.id)
        if run_id is not None:
            query = query.where(trials.c.run_id == run_id)
        if origin is not None:
            query = query.where(trials.c.origin == origin)
        if prompt_number is not None:
            query = query.where(trials.c.prompt_number == prompt_number)
        with self.store._connect("read") as connection:
            rows = connection.execute(query).all()
        billed = _TRIAL_FIELDS.index("billed_usd")
        # Positional, in the dataclass's field order: the fastest way from a row to a Trial (a run's report
        # reads every trial of the run).
        return [_new_trial(Trial, row) if row[billed] is None else _with_decimal(row, billed) for row in rows]

    def ok_cells(self, run_id: int) -> set[tuple[int | None, int | None, str, str]]:
        """The (prompt, repetition, provider, model) cells of a run that already succeeded."""
        t = trials
        query = sa.select(t.c.prompt_number, t.c.repetition, t.c.provider, t.c.model).where(
            t.c.run_id == run_id, t.c.outcome == "ok"
        )
        with self.store._connect("read") as connection:
            return {(row[0], row[1], row[2], row[3]) for row in connection.execute(query).all()}

    def tried_cells(self, run_id: int) -> set[tuple[int | None, int | None, str, str]]:
        """The cells of a run with any recorded trial (ok or not)."""
        t = trials
        query = sa.select(t.c.prompt_number, t.c.repetition, t.c.provider, t.c.model).where(t.c.run_id == run_id)
        with self.store._connect("read") as connection:
            return {(row[0], row[1], row[2], row[3]) for row in connection.execute(query).all()}

    def set_billed(self, updates: Iterable[tuple[int, Decimal | None, bool]]) -> None:
        """Keep what Lava billed for trials: (trial id, amount or None while unknown, whether it is final)."""
        checked = now()
        with self.store._connect("written", write=True) as connection:
            for trial_id, amount, final in updates:
                connection.execute(
                    trials.update()
                    .where(trials.c.id == trial_id)
                    .values(billed_usd=None if amount is None else str(amount), billed_final=final,
                            billed_checked_at=checked)
                )  # fmt: skip

    def measured(self) -> list[Trial]:
        """Every ok trial, for measured speed per model (Browse's columns)."""
        return [trial for trial in self.trials() if trial.ok]


class TrialWriter:
    """A run's writes on one held connection: each `record_many` is one transaction, as `TrialStore`'s is, without
    a pool checkout, reset and check-in around it (at a batch every 50 ms those were most of a batch's cost)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._connection: Connection | None = None

    def record_many(self, batch: Sequence[Trial], *, replacing: bool = True) -> list[Trial]:
        try:
            if self._connection is None:
                self._connection = self.store.engine.connect().execution_options(catalog_write=True)
            with self._connection.begin():
                return _insert(self._connection, batch, replacing)
        except AlreadyRecorded:
            raise
        except SQLAlchemyError as error:
            self.close()
            raise self.store._error("cannot be written", error) from None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _insert(connection: Connection, batch: Sequence[Trial], replacing: bool) -> list[Trial]:
    """The rows of `batch`, inserted in the caller's transaction (a failed try of the same cell deleted first)."""
    created = now()
    rows = []
    for trial in batch:
        values: dict[str, Any] = dict(zip(_TRIAL_COLUMNS, trial, strict=False))  # every field but the last, `id`
        values["created_at"] = trial.created_at or created
        values["billed_usd"] = None if trial.billed_usd is None else str(trial.billed_usd)
        if values["error"]:
            values["error"] = values["error"][:1000]
        rows.append(values)
    cells = [(t.run_id, t.prompt_number, t.repetition, t.provider, t.model) for t in batch if t.run_id is not None]
    table = trials
    key = sa.tuple_(table.c.run_id, table.c.prompt_number, table.c.repetition, table.c.provider, table.c.model)
    if cells and replacing:
        connection.execute(table.delete().where(table.c.outcome != "ok", key.in_(cells)))
    try:
        if len(rows) == 1:
            ids = [connection.execute(table.insert().values(**rows[0]).returning(table.c.id)).scalar_one()]
        else:
            ids = [None] * len(rows)  # one executemany: the ids are not read back
            connection.execute(table.insert(), rows)
    except IntegrityError:
        raise AlreadyRecorded("a trial of this run is already recorded as ok") from None
    return [t._replace(id=i, created_at=r["created_at"]) for t, i, r in zip(batch, ids, rows, strict=True)]


def _prompt_json(prompt: RunPrompt) -> str:
    return json.dumps({"messages": [list(m) for m in prompt.messages], "max_tokens": prompt.max_tokens})


def _run(row: Any) -> Run:
    known = {f.name for f in fields(RunSettings)}
    settings = RunSettings(**{k: v for k, v in json.loads(row.settings).items() if k in known})
    models = tuple((str(provider), str(model)) for provider, model in json.loads(row.models))
    return Run(row.id, row.name, row.created_at, row.status, row.prompts, row.repeat, models, settings, row.message)


def _run_prompt(row: Any) -> RunPrompt:
    messages: tuple[tuple[str, str], ...] = ()
    max_tokens = None
    if row.messages is not None:
        data = json.loads(row.messages)
        messages = tuple((str(role), str(content)) for role, content in data["messages"])
        max_tokens = data.get("max_tokens")
    return RunPrompt(row.number, row.label, row.sha256, row.chars, messages, max_tokens)


def _with_decimal(row: Sequence[Any], billed: int) -> Trial:
    values = list(row)
    values[billed] = Decimal(values[billed])
    return Trial(*values)
