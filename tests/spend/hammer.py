"""Many sessions sending through the loopback fake gateway on the operator's credential, each request held in
the spend ledger first: what the public mode's cap test runs in threads, and in separate processes.

`python tests/spend/hammer.py DB_URL GATEWAY_URL SESSIONS SECONDS DAILY_USD` prints the totals as JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from catalog.gateway.client import GatewayClient  # noqa: E402
from catalog.gateway.config import resolve_config  # noqa: E402
from catalog.gateway.errors import GatewayError  # noqa: E402
from catalog.gateway.messages import ChatParams, Message  # noqa: E402
from catalog.gateway.targets import chat_request  # noqa: E402
from catalog.history import Store  # noqa: E402
from catalog.sources import load_catalog  # noqa: E402
from catalog.spend import CapReached, Caps, Spender, SpendLedger, anonymous, worst_case_usd  # noqa: E402

TOKEN = "fake-forward-token-for-spend"
#: The fake answers with about this many tokens; the worst case asks for more, as a visitor's max tokens would.
MODEL = "meta-llama/Meta-Llama-3.1-405B-Instruct"
PROMPT = "How much does this cost? !fake:chunks=40"
MAX_TOKENS = 64


@dataclass
class Totals:
    spent_usd: float = 0.0
    sent: int = 0
    refused: int = 0
    worst_usd: float = 0.0


def hammer(db_url: str, gateway_url: str, sessions: int, seconds: float, daily_usd: float) -> Totals:
    """`sessions` threads, each its own visitor, sending as fast as they can for `seconds`; the cost the fake's
    replies reported (at catalog prices) is what was really spent."""
    catalog = load_catalog()
    record = catalog.find(MODEL)
    assert record is not None
    worst = worst_case_usd(record, [PROMPT], MAX_TOKENS)
    totals, lock = Totals(worst_usd=worst), threading.Lock()
    config = resolve_config({"LAVA_BASE_URL": gateway_url, "LAVA_FORWARD_TOKEN": TOKEN})
    request = chat_request(catalog, record, (Message("user", PROMPT),), ChatParams(max_tokens=MAX_TOKENS))
    caps = Caps(session_hourly_usd=daily_usd, daily_usd=daily_usd, run_usd=daily_usd)
    with Store(db_url) as store, GatewayClient(config) as client:
        ledger = SpendLedger(store, caps)
        end = time.monotonic() + seconds

        def visitor() -> None:
            spender = Spender(ledger, anonymous(uuid.uuid4().hex), "public")
            while time.monotonic() < end:
                try:
                    with spender.hold(worst) as hold:
                        with client.stream(request) as reply:
                            for _ in reply:
                                pass
                            result = reply.result
                        hold.spent(result.cost_usd, result.request_id)
                except CapReached:
                    with lock:
                        totals.refused += 1
                    time.sleep(0.05)  # a visitor pressing Send again, not a busy loop
                    continue
                except GatewayError:
                    continue
                with lock:
                    totals.sent += 1
                    totals.spent_usd += result.cost_usd or 0.0

        threads = [threading.Thread(target=visitor) for _ in range(sessions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return totals


if __name__ == "__main__":
    db, gateway, count, seconds, cap = sys.argv[1:6]
    print(json.dumps(asdict(hammer(db, gateway, int(count), float(seconds), float(cap)))))
