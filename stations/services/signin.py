"""Signing in to the web app: passwords checked, guessing slowed down.

Attempts are rows in ``signin_attempt`` (shared by every web replica): at most
``MAX_FAILURES_PER_ACCOUNT`` per e-mail and ``MAX_FAILURES_PER_ADDRESS`` per client address
within ``WINDOW``. Beyond either, the form is refused without even checking the password,
and the message says when to try again. Each attempt is *reserved* (its row written) before
its password is checked, counting and writing under a lock on the account and the address,
so thirty simultaneous guesses get the same five checks as thirty in a row. A success
deletes that account's rows, its own reservation included; rows older than the window are
pruned as new failures come in.

What a successful sign-in opens is in ``services/sessions.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import Language
from stations.i18n import N_, _, ngettext
from stations.models import SignInAttempt, User
from stations.services.errors import InvalidInput, StationsError
from stations.services.users import MAX_EMAIL_LENGTH, MAX_PASSWORD_LENGTH, authenticate_user

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
MAX_ADDRESS_LENGTH = 64

WRONG_CREDENTIALS = _("The e-mail address or the password is not right.")
TRY_AGAIN_LATER = N_(
    "Too many failed sign-ins. Try again in {minutes} minute.",
    "Too many failed sign-ins. Try again in {minutes} minutes.",
)


class TooManyAttempts(StationsError):
    """Sign-ins are paused for this account or address; ``minutes`` says for how long."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(TRY_AGAIN_LATER[1], field=None, minutes=minutes)
        self.minutes = minutes

    def translated(self, language: str | Language | None) -> str:
        singular, plural = TRY_AGAIN_LATER
        return ngettext(singular, plural, self.minutes, language).format(minutes=self.minutes)


def _account_key(email: object) -> str:
    # Keyed on what was typed (trimmed, lower-cased), valid address or not, so guessing
    # variants of an invalid address is limited as well.
    return email.strip().lower()[:MAX_EMAIL_LENGTH] if isinstance(email, str) else ""


def _address_key(address: str | None) -> str:
    return (address or "unknown")[:MAX_ADDRESS_LENGTH]


async def sign_in(email: object, password: object, *, address: str | None) -> User:
    """The active user with this e-mail and password.

    Raises ``TooManyAttempts`` when guessing is paused for the account or the address, and
    ``InvalidInput`` for a wrong e-mail or password (the same message for both, so the form
    does not tell who has an account)."""
    now = clock.now()
    account, client = _account_key(email), _address_key(address)
    await _reserve_attempt(account, client, now=now)
    user = (
        await authenticate_user(email, password)
        if isinstance(email, str)
        and isinstance(password, str)
        and len(password) <= MAX_PASSWORD_LENGTH
        else None
    )
    if user is None:
        # The reservation stays: it is this failure's record.
        await SignInAttempt.filter(at__lte=now - WINDOW).delete()
        raise InvalidInput(WRONG_CREDENTIALS, field="password")
    await SignInAttempt.filter(email=account).delete()
    return user


async def _reserve_attempt(account: str, client: str, *, now: dt.datetime) -> None:
    """Count the recent attempts and write this one, atomically per account and address.

    PostgreSQL: transaction-scoped advisory locks on both keys (taken in one order, so two
    sign-ins cannot deadlock). SQLite: tortoise runs one transaction at a time per database.
    """
    async with in_transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            for key in sorted((f"account:{account}", f"address:{client}")):
                await connection.execute_query(
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [key]
                )
        await _refuse_when_paused(account, client, now=now)
        await SignInAttempt.create(email=account, address=client, at=now)


async def _refuse_when_paused(account: str, client: str, *, now: dt.datetime) -> None:
    since = now - WINDOW
    waits = []
    for limit, query in (
        (MAX_FAILURES_PER_ACCOUNT, SignInAttempt.filter(email=account, at__gt=since)),
        (MAX_FAILURES_PER_ADDRESS, SignInAttempt.filter(address=client, at__gt=since)),
    ):
        # Only the newest ``limit`` matter: the pause ends when the oldest of them leaves
        # the window.
        recent: list[dt.datetime] = (
            await query.order_by("-at")
            .limit(limit)
            .values_list(  # type: ignore[assignment]
                "at", flat=True
            )
        )
        if len(recent) >= limit:
            waits.append(min(recent) + WINDOW - now)
    if waits:
        seconds = max(w.total_seconds() for w in waits)
        # Someone guessing, or a coordinator who forgot: either way an operator may want to know.
        log.warning("Sign-in paused for account %r from address %s", account, client)
        raise TooManyAttempts(max(1, math.ceil(seconds / 60)))
