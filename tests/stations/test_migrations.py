"""The committed migrations describe exactly the models."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_models_have_no_changes_missing_from_migrations(tmp_path):
    # In a child process: the autodetector builds its own tortoise context.
    script = textwrap.dedent(
        f"""
        import asyncio
        from tortoise.cli.cli import tortoise_cli_context
        from tortoise.migrations.autodetector import MigrationAutodetector
        from stations.db import tortoise_config

        async def main():
            config = tortoise_config("sqlite://{tmp_path / "drift.sqlite3"}")
            async with tortoise_cli_context(config) as ctx:
                writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
            print(len(writers), [op for w in writers for op in w.operations])

        asyncio.run(main())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 []"
