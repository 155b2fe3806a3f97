"""Talking to models through Lava's gateway. No Streamlit here: the Playground page and benchmarks drive these.

- `config`: settings, credentials, redaction, reply limits;  `errors`: the error tree.
- `messages`: the values (request, parameters, delta, result);  `reply`: the pure reply state.
- `stream`: a reply being read (socket, deadline, size, cancel);  `client`: sending, with retries.
- `targets`: which model and where to send;  `transcript`: turns, totals, exports;
  `side_by_side`: one prompt to several models;  `safe_markdown`: disarmed images and literal text.
"""
