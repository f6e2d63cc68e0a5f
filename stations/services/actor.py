"""Who is acting: every service that changes state takes one, and the audit log names it."""

from __future__ import annotations

from dataclasses import dataclass

from stations.enums import ActorKind, Source


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: int | None
    label: str
    source: Source

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(ActorKind.SYSTEM, None, label, Source.SYSTEM)

    @classmethod
    def user(cls, user_id: int, email: str, *, source: Source = Source.WEB) -> Actor:
        return cls(ActorKind.USER, user_id, email, source)

    @classmethod
    def volunteer(cls, volunteer_id: int, name: str) -> Actor:
        return cls(ActorKind.VOLUNTEER, volunteer_id, name, Source.BOT)

    @classmethod
    def api(cls, token_id: int, name: str) -> Actor:
        return cls(ActorKind.API, token_id, name, Source.API)

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind is ActorKind.USER else None

    @property
    def volunteer_id(self) -> int | None:
        return self.id if self.kind is ActorKind.VOLUNTEER else None
