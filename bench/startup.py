"""Benchmark: time and memory until the bot is ready (default knowledge base, SQLite).

Run: .venv/bin/python -m bench.startup   (a fresh interpreter per run: imports count too)
Budget from the product card: ready in under 2 s, under 300 MB RSS.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = """
import time, resource, asyncio
t0 = time.perf_counter()
from bot.config import load_settings
from bot.app import build_app
from handlers.runtime import create_dispatcher
async def main():
    settings = load_settings(database_url=DB, bot_token=None)
    app = await build_app(settings, migrate=True)
    create_dispatcher(app)
    ready = time.perf_counter() - t0
    await app.close()
    return ready
ready = asyncio.run(main())
print(json.dumps({"ready_s": round(ready, 3),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def main(runs: int = 3) -> None:
    """Run the probe in fresh interpreters and print each result."""
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            db = f"sqlite+aiosqlite:///{Path(tmp) / 's.sqlite3'}"
            code = f"import json\nDB = {db!r}\n" + PROBE
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            print(json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
