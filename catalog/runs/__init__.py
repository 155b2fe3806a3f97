"""Workload runs: your prompts on the models you pick, each answer's tokens, cost and speed, kept and reported.

- `prompts`: prompt files (JSONL, CSV, plain text) read into prompts, with line-numbered errors; `promptfoo`
  (and `yaml_depth`, its nesting measured before PyYAML reads it): promptfoo configs as prompts with checks.
- `checks`: what an answer must pass (`expect`); `judge`: judge checks graded through the gateway, and
  `--rejudge`; `grading`: pass rates, cost per passing answer, the best model; `check_store`: their storage.
- `runner`: sends every prompt to every model through the gateway, within a budget, resumable.
- `trials`: a run's records (run, settings, prompt, trial) and the trial built from a reply or an error.
- `store`: runs and trials in the store's database (the price history's, `catalog.history`).
- `billing`: what Lava billed for each trial, fetched and settled.
- `report`: per-model summaries with their grading, the report as JSON and CSV, and measured tokens for Compare.
"""
