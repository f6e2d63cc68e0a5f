"""The organising tree read once per request: where a reader lands, the way back up, and
which child of a unit each unit's figures roll up into.

A country has a few hundred units, so the whole tree is one query and walked in memory,
the same on SQLite and PostgreSQL (no recursive SQL per dialect)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stations.models import Unit


@dataclass(frozen=True)
class UnitNode:
    id: int
    name: str
    code: str
    parent_id: int | None


@dataclass(frozen=True)
class UnitTree:
    nodes: dict[int, UnitNode]
    #: parent id (None: the top of the tree) → child ids, by name
    children: dict[int | None, list[int]]

    def subtree(self, unit_id: int) -> frozenset[int]:
        """``unit_id`` and every unit below it."""
        found = {unit_id}
        pending = [unit_id]
        while pending:
            for child in self.children.get(pending.pop(), []):
                if child not in found:  # a damaged tree with a loop must not spin forever
                    found.add(child)
                    pending.append(child)
        return frozenset(found)

    def path(self, unit_id: int) -> list[UnitNode]:
        """From the top of the tree down to ``unit_id`` itself."""
        path: list[UnitNode] = []
        seen: set[int] = set()
        current: int | None = unit_id
        while current is not None and current in self.nodes and current not in seen:
            seen.add(current)
            node = self.nodes[current]
            path.append(node)
            current = node.parent_id
        return path[::-1]

    def child_toward(self, unit_id: int, under: int | None) -> int | None:
        """The child of ``under`` (None: the top) on the way up from ``unit_id``: the row
        of ``under``'s overview that ``unit_id`` counts in. None when ``unit_id`` is
        ``under`` itself or not below it."""
        ids = [node.id for node in self.path(unit_id)]
        if under is None:
            return ids[0] if ids else None
        if under not in ids:
            return None
        position = ids.index(under)
        return ids[position + 1] if position + 1 < len(ids) else None

    def scope_tops(self, scope: Iterable[int] | None) -> list[int]:
        """The highest units of a reader's scope (None: the tree's own tops), by name."""
        if scope is None:
            return list(self.children.get(None, []))
        inside = set(scope)
        tops = [
            unit_id
            for unit_id in inside
            if unit_id in self.nodes and self.nodes[unit_id].parent_id not in inside
        ]
        return sorted(tops, key=lambda unit_id: (self.nodes[unit_id].name, unit_id))


async def unit_tree() -> UnitTree:
    """Every unit, in one query."""
    rows = await Unit.all().order_by("name", "id").values_list("id", "name", "code", "parent_id")
    nodes: dict[int, UnitNode] = {}
    children: dict[int | None, list[int]] = {}
    for unit_id, name, code, parent_id in rows:
        nodes[unit_id] = UnitNode(unit_id, name, code, parent_id)
    for node in nodes.values():
        # A parent that no longer exists leaves its child at the top rather than lost.
        parent = node.parent_id if node.parent_id in nodes else None
        children.setdefault(parent, []).append(node.id)
    return UnitTree(nodes, children)
