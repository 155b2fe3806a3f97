"""Every format the catalog is written in or read from, one module each, over the core's records.

- `cells`: one CSV cell, the same way in every CSV the product writes (CLI exports, dashboard downloads, reports).
- `per_token`: USD per token, exactly, from the page's USD per 1M tokens.
- `litellm`: LiteLLM's `model_prices_and_context_window.json`: export, read, cross-check.
- `openrouter`: OpenRouter's `/api/v1/models` document.
- `llm_prices`: llm-prices.com's historical document, from the price history's ranges.
"""
