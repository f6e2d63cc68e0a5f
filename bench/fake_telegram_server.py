"""The fake Telegram Bot API server (``tests/fake_telegram``) in a process of its own, for
the bot benchmark (``bench/bot.py``): its CPU is not the bot's, and the bot talks to it over
real HTTP as it would to Telegram.

``python bench/fake_telegram_server.py --users 100000:101000`` prints ``URL <base url>``
once it listens, then obeys one command a line on stdin:

- ``dump <path>``: write the messages received since the last dump as JSON
  (``[{"chat_id", "at", "text", "method"}, …]``, ``at`` in ``time.monotonic()`` seconds,
  which Linux shares between processes) and the number of API calls answered with an
  error; then print ``OK``;
- ``fail <method>``: the next call of ``method`` is refused (400), as a failed delivery;
  then print ``OK``;
- end of input: stop.

Limits are not enforced: the benchmark measures the bot, not Telegram's pacing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_telegram import FakeTelegram, Limits


async def _serve(first: int, last: int) -> None:
    fake = FakeTelegram(limits=Limits(enforce=False))
    await fake.start()
    for user_id in range(first, last):
        fake.user(user_id)
    print(f"URL {fake.url}", flush=True)
    loop = asyncio.get_running_loop()
    dumped_messages = dumped_calls = 0
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            command, _, argument = line.strip().partition(" ")
            if command == "fail":
                fake.fail_next(
                    argument, error_code=400, description="Bad Request: refused by the benchmark"
                )
                print("OK", flush=True)
                continue
            if command != "dump":
                print(f"ERROR unknown command {command!r}", flush=True)
                continue
            messages = fake.sent[dumped_messages:]
            calls = fake.calls[dumped_calls:]
            dumped_messages, dumped_calls = len(fake.sent), len(fake.calls)
            report = json.dumps(
                {
                    "messages": [
                        {
                            "chat_id": m.chat_id,
                            "at": m.at,
                            "text": m.text or "",
                            "method": m.method,
                        }
                        for m in messages
                    ],
                    "failed_calls": [
                        {"method": c.method, "status": c.status, "description": c.description}
                        for c in calls
                        if c.status != 200
                    ],
                    "internal_errors": list(fake.internal_errors),
                }
            )
            await asyncio.to_thread(Path(argument).write_text, report)
            print("OK", flush=True)
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", required=True, help="user ids FIRST:LAST (LAST excluded)")
    args = parser.parse_args()
    first, last = (int(part) for part in args.users.split(":"))
    asyncio.run(_serve(first, last))


if __name__ == "__main__":
    main()
