"""The load generator of the bot benchmark (``bench/bot.py``), in a process of its own: it
plays Telegram's side of the webhook, open loop.

``python bench/bot_load.py --plan plan.json --out result.json``. The plan says where to POST
(``webhook``, ``secret``), how fast (``rate`` updates/s), the first ``update_id`` and, in
order, each update's chat and kind (``checkin``: a shared location; ``handout``: a two-item
``/phat``). Update ``k`` is due at ``start + k / rate`` whether or not earlier ones were
answered; at most ``MAX_CONNECTIONS`` POSTs are open at once, as Telegram holds at most 40
connections to a webhook, so updates beyond that wait — and their wait counts, since the
latency is measured from the time an update was due.

The result: ``start`` and, per update, its chat, kind, due time (``time.monotonic()``,
which Linux shares between processes, so the fake server's reception times compare), the
webhook's HTTP status (0: no answer) and any error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx

#: Telegram's default ``max_connections`` for a webhook.
MAX_CONNECTIONS = 40
TIMEOUT_SECONDS = 60.0
LATITUDE, LONGITUDE = 10.8076, 105.3436
HANDOUT = "/phat 50 nuoc, 30 khan"


def update_of(update_id: int, chat_id: int, kind: str, date: int) -> dict[str, Any]:
    """What Telegram POSTs for a private message: a location or the handout command."""
    message: dict[str, Any] = {
        "message_id": update_id,
        "from": {"id": chat_id, "is_bot": False, "first_name": "An", "language_code": "vi"},
        "chat": {"id": chat_id, "type": "private", "first_name": "An"},
        "date": date,
    }
    if kind == "checkin":
        # About 33 m from the station: inside its check-in radius.
        message["location"] = {"latitude": LATITUDE + 0.0003, "longitude": LONGITUDE}
    else:
        message["text"] = HANDOUT
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len("/phat")}]
    return {"update_id": update_id, "message": message}


async def run(plan: dict[str, Any]) -> dict[str, Any]:
    rate = float(plan["rate"])
    first_id = int(plan["first_update_id"])
    headers = {"X-Telegram-Bot-Api-Secret-Token": plan["secret"]}
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    # Idle connections are dropped before uvicorn would close them (its keep-alive timeout
    # is 5 s): a POST sent on a connection the server is closing fails without reaching it.
    limits = httpx.Limits(
        max_connections=MAX_CONNECTIONS,
        max_keepalive_connections=MAX_CONNECTIONS,
        keepalive_expiry=2.0,
    )
    results: list[dict[str, Any]] = []
    async with httpx.AsyncClient(limits=limits, timeout=TIMEOUT_SECONDS) as client:
        # The bodies are built before the clock starts: the generator's own CPU stays out of
        # the schedule.
        bodies = [
            json.dumps(update_of(first_id + k, entry["chat"], entry["kind"], int(time.time())))
            for k, entry in enumerate(plan["updates"])
        ]

        async def deliver(k: int, due: float) -> None:
            entry = plan["updates"][k]
            row = {"chat": entry["chat"], "kind": entry["kind"], "due": due, "status": 0}
            results.append(row)
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            async with slots:
                try:
                    answer = await client.post(
                        plan["webhook"],
                        content=bodies[k],
                        headers={**headers, "Content-Type": "application/json"},
                    )
                    row["status"] = answer.status_code
                except httpx.HTTPError as exc:
                    row["error"] = f"{type(exc).__name__}: {exc}"
            row["answered"] = time.monotonic()

        start = time.monotonic() + 0.5
        await asyncio.gather(*(deliver(k, start + k / rate) for k in range(len(bodies))))
    return {"start": start, "updates": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    plan = json.loads(Path(args.plan).read_text())
    Path(args.out).write_text(json.dumps(asyncio.run(run(plan))))


if __name__ == "__main__":
    main()
