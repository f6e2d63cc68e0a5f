"""Fold stored search names again with every form of đ as d.

``search_name`` held ``fold(full_name)``, and fold used to turn only U+0110/U+0111 into d:
a name typed with a look-alike (``Ðặng`` with the Icelandic eth U+00D0, ``Ɖ`` U+0189) was
stored folded as ``ðang`` and never found by "dang". fold now maps them all; this recomputes
``search_name`` for the rows whose stored fold differs from today's. No schema change.

Reversing leaves the names as they are: the old fold was only worse.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

from stations.text import fold

BATCH = 500


async def refold_search_names(apps, schema_editor) -> None:
    client = schema_editor.client
    placeholder = "$1" if client.capabilities.dialect == "postgres" else "?"
    second = "$2" if placeholder == "$1" else "?"
    last_id = 0
    while True:
        rows = (
            await client.execute_query(
                "SELECT id, full_name, search_name FROM volunteer"
                f" WHERE id > {placeholder} ORDER BY id LIMIT {BATCH}",
                [last_id],
            )
        )[1]
        if not rows:
            return
        for row in rows:
            folded = fold(row["full_name"])
            if folded != row["search_name"]:
                await client.execute_query(
                    f"UPDATE volunteer SET search_name = {placeholder} WHERE id = {second}",
                    [folded, row["id"]],
                )
        last_id = rows[-1]["id"]


async def nothing_to_undo(apps, schema_editor) -> None:
    """The old fold was only worse: nothing to put back."""


class Migration(migrations.Migration):
    dependencies = [("stations", "0011_travellers")]

    initial = False

    operations = [ops.RunPython(refold_search_names, nothing_to_undo)]
