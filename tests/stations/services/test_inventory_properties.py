"""Random programs of stock writes keep the ledger and its balances honest, on both backends.

Each example is a program of up to 25 steps: receipts, handouts, losses, counts,
transfers between the two stations of one campaign, and reports of handouts of both items
at once (the bot's several-line report), for two items — every kind through the one ledger
writer — with quantities good and
bad (0, negative, huge, floats, text, None, bool), idempotency keys drawn from a small pool
so they repeat (also padded with spaces, too long, not text), times now, earlier, a little
ahead, in the future, long before the campaign or without a time zone, and the clock moving
on between steps. After every step:

* the service returned or raised a ``StationsError``, and the one the input called for;
* a call that raised wrote nothing (no ledger line, no balance change, no audit event);
* a replayed idempotency key returned the original line and added none; a key reused for
  another entry (another amount, note or time included) was refused;
* every line and balance is the one a plain model of the ledger predicts (a count's line is
  counted − stock on record at its time; a late count behind a later one is superseded);
* each balance equals the sum of its deltas, and ``balance_matches_ledger()`` agrees.

How it runs: pytest-asyncio supports ``@given`` on an ``async def`` test (its
``AsyncHypothesisTest`` item runs each example's coroutine on the test's event loop), so
this is an ordinary Hypothesis test over ``st.lists(steps)`` and keeps Hypothesis's
shrinking and its reproducible failure report (the minimal program, and a
``@reproduce_failure`` line on request). A ``RuleBasedStateMachine`` cannot be used: its
rules are synchronous and cannot await the services. The ``db`` fixture is set up once per
test, so each example empties the tables itself with ``truncate_all`` (hence the suppressed
``function_scoped_fixture`` health check) and runs under its own frozen clock.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from stations.clock import FrozenClock, use_clock
from stations.enums import MovementKind
from stations.models import (
    AuditEvent,
    ServiceRecord,
    Station,
    StockBalance,
    StockMovement,
    SupplyItem,
)
from stations.services import inventory
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput, StationsError
from stations.services.inventory import IDEMPOTENCY_KEY_MAX, MAX_QUANTITY, NOTE_MAX
from stations.services.queries.stock import balance_matches_ledger
from stations.services.service_records import record_service
from tests.conftest import DEFAULT_NOW, truncate_all
from tests.factories import make_campaign, make_item, make_station, make_volunteer

pytestmark = pytest.mark.integration

SIMPLE_ACTIONS = {
    "receipt": inventory.record_receipt,
    "handout": inventory.record_handout,
    "loss": inventory.record_loss,
}
TAKING_KINDS = {MovementKind.HANDOUT, MovementKind.LOSS, MovementKind.TRANSFER_OUT}

# -- the programs ------------------------------------------------------------------------

# Most steps get at most one bad argument, so that enough of them are written for the
# ledger to grow and for keys to be replayed; a few get every argument drawn at random.
good_quantities = st.one_of(
    st.sampled_from([1, 2, 5, 10, 50, 100]), st.integers(1, 400), st.just(MAX_QUANTITY)
)
bad_quantities = st.one_of(
    st.just(0),
    st.integers(max_value=-1),
    st.integers(min_value=MAX_QUANTITY + 1, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([5.0, "5", "", None, True, False, [5]]),
    st.text(max_size=4),
)
good_keys = st.sampled_from([None, None, "", "   ", "k1", " k1 ", "k2", "k3"])
bad_keys = st.sampled_from([7, b"k1", "k" * (IDEMPOTENCY_KEY_MAX + 1)])
#: minutes before now (negative: a phone clock a little fast, within the tolerance); a few
#: values often, so that late reports land before, between and after other lines
good_occurrences = st.one_of(
    st.none(),
    st.sampled_from([-4, -2, 0, 2, 10, 60, 600]),
    st.sampled_from([-4, -2, 0, 2, 10, 60, 600]),
    st.integers(-4, 3 * 24 * 60),
)
bad_occurrences = st.sampled_from(["future", "too_early", "naive"])
good_notes = st.sampled_from(["", "  Từ   Đoàn xã ", None])
bad_notes = st.sampled_from([42, "x" * (NOTE_MAX + 1)])
good_actors = st.sampled_from(["system", "volunteer"])
bad_actors = st.just("nobody")

ARGUMENTS = {
    "amount": (good_quantities, bad_quantities),
    "key": (good_keys, bad_keys),
    "occurred": (good_occurrences, bad_occurrences),
    "note": (good_notes, bad_notes),
    "actor": (good_actors, bad_actors),
}


#: counts and transfers weigh more: their rules (late counts, pairs of lines) are richer
ACTION_WEIGHTS = [
    *["receipt", "handout", "loss", "report"],
    *["count"] * 3,
    *["transfer"] * 2,
    "transfer_to_itself",
]


@dataclass(frozen=True)
class Step:
    #: receipt | handout | loss | count | transfer | transfer_to_itself | report (a handout
    #: of both items in one report, each line keyed "<key>:<item>")
    action: str
    station: int  # 0 or 1; a transfer goes from it to the other one
    item: int  # 0 or 1
    amount: object
    key: object
    occurred: int | str | None
    note: object
    actor: str
    wait_minutes: int
    #: send the previous step's request again, as a client retrying does (the same time too)
    retry: bool = False


@st.composite
def steps(draw: st.DrawFn) -> Step:
    action = draw(st.sampled_from(ACTION_WEIGHTS))
    flaw = draw(st.sampled_from([None] * 6 + ["any", *ARGUMENTS]))
    values = {}
    for name, (good, bad) in ARGUMENTS.items():
        if name == "amount" and action == "count":
            good = st.one_of(st.just(0), good)  # nothing left is a count too
        if flaw == "any":
            values[name] = draw(st.one_of(good, bad))
        else:
            values[name] = draw(bad if name == flaw else good)
    return Step(
        action=action,
        # Mostly one station × item, so that lines meet: counts after counts, replays.
        station=draw(st.sampled_from([0, 0, 0, 1])),
        item=draw(st.sampled_from([0, 0, 0, 1])),
        wait_minutes=draw(st.sampled_from([0, 0, 1, 3, 30])),
        retry=draw(st.sampled_from([False, False, False, True])),
        **values,
    )


programs = st.lists(steps(), min_size=3, max_size=25)

# -- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    station: int
    item: int
    delta: int
    is_count: bool
    occurred_at: dt.datetime
    recorded_at: dt.datetime


@dataclass
class Model:
    lines: list[Line] = field(default_factory=list)
    #: cleaned idempotency key → (what it recorded, the id of its line, when it happened,
    #: when it was recorded)
    keys: dict[str, tuple[tuple[Any, ...], int, dt.datetime, dt.datetime]] = field(
        default_factory=dict
    )

    def balance(self, station: int, item: int) -> int:
        return sum(
            line.delta for line in self.lines if (line.station, line.item) == (station, item)
        )

    def balances(self) -> dict[tuple[int, int], int]:
        totals: Counter[tuple[int, int]] = Counter()
        for line in self.lines:
            totals[line.station, line.item] += line.delta
        return {pair: total for pair, total in totals.items()}

    def count_delta(
        self, station: int, item: int, counted: int, when: dt.datetime
    ) -> tuple[int, bool]:
        """(delta, superseded) of a count: lines that happened after it still apply on top."""
        later = [
            line
            for line in self.lines
            if (line.station, line.item) == (station, item)
            and line.occurred_at > when
            and line.recorded_at > when
        ]
        if any(line.is_count for line in later):
            return 0, True
        on_record_then = self.balance(station, item) - sum(line.delta for line in later)
        return counted - on_record_then, False


@dataclass(frozen=True)
class World:
    stations: tuple[Station, Station]
    items: tuple[SupplyItem, SupplyItem]
    actors: dict[str, object]
    station_index: dict[int, int]
    item_index: dict[int, int]


@dataclass(frozen=True)
class Snapshot:
    lines: tuple[tuple[int, int, int, str | None], ...]
    balances: dict[tuple[int, int], int]
    audit_events: int


# -- what a step should do ---------------------------------------------------------------


def is_whole(value: object, minimum: int) -> bool:
    return type(value) is int and minimum <= value <= MAX_QUANTITY


def cleaned_key(key: object) -> tuple[bool, str | None]:
    """(valid, the key the service keeps)."""
    if key is None:
        return True, None
    if not isinstance(key, str) or len(key.strip()) > IDEMPOTENCY_KEY_MAX:
        return False, None
    return True, key.strip() or None


def note_is_valid(value: object) -> bool:
    return value is None or (isinstance(value, str) and len(" ".join(value.split())) <= NOTE_MAX)


def occurred_at_of(step: Step, now: dt.datetime, campaign_starts: dt.date) -> object:
    if step.occurred is None:
        return None
    if step.occurred == "future":
        return now + dt.timedelta(hours=1)
    if step.occurred == "too_early":
        return dt.datetime.combine(campaign_starts, dt.time(), tzinfo=dt.UTC) - dt.timedelta(
            days=30
        )
    if step.occurred == "naive":
        return now.replace(tzinfo=None)
    assert isinstance(step.occurred, int)
    return now - dt.timedelta(minutes=step.occurred)


def line_keys(step: Step) -> list[object]:
    """The key of each line the step writes, as sent."""
    if step.action != "report":
        return [step.key]
    return [f"{step.key}:{item}" if isinstance(step.key, str) else step.key for item in (0, 1)]


def signature(step: Step, item: int | None = None) -> tuple[Any, ...]:
    """What an entry is (a report's line: of ``item``), its time aside (see ``same_time``)."""
    note = " ".join(step.note.split()) if isinstance(step.note, str) else step.note
    if step.action == "report":
        return ("report", step.station, item, step.amount, note)
    if step.action.startswith("transfer"):
        target = step.station if step.action == "transfer_to_itself" else 1 - step.station
        return ("transfer", step.station, target, step.item, step.amount, note)
    return (step.action, step.station, step.item, step.amount, note)


def same_time(asked: object, occurred_at: dt.datetime, recorded_at: dt.datetime) -> bool:
    """A request's time names a line's: none given, a line recorded without one; else equal."""
    if asked is None:
        return occurred_at == recorded_at
    return isinstance(asked, dt.datetime) and asked.tzinfo is not None and asked == occurred_at


@dataclass(frozen=True)
class Expectation:
    #: (error class, field) pairs any of which may be raised
    acceptable_errors: frozenset[tuple[type[StationsError], str]]
    must_fail: bool
    #: the line id an idempotent replay returns
    replay_of: int | None


def expect(step: Step, model: Model, occurred_at: object) -> Expectation:
    errors: set[tuple[type[StationsError], str]] = set()
    quantity_field = "counted" if step.action == "count" else "quantity"
    if not is_whole(step.amount, 0 if step.action == "count" else 1):
        errors.add((InvalidInput, quantity_field))
    if step.occurred == "naive":
        errors.add((InvalidInput, "occurred_at"))
    if step.actor == "nobody":
        errors.add((InvalidInput, "by"))
    if not note_is_valid(step.note):
        errors.add((InvalidInput, "note"))
    key_ok, key = cleaned_key(line_keys(step)[0])
    if not key_ok:
        errors.add((InvalidInput, "idempotency_key"))
    if step.action == "transfer_to_itself":
        errors.add((InvalidInput, "to_station"))
    replay_of = None
    if key is not None and key in model.keys:
        recorded, line_id, occurred, recorded_at = model.keys[key]
        if recorded == signature(step, 0) and same_time(occurred_at, occurred, recorded_at):
            replay_of = line_id
        else:
            errors.add((Conflict, "idempotency_key"))
    # A time out of range is never a kept line's time: refused, as out of range or as a
    # key reused for another entry.
    out_of_range = step.occurred in ("future", "too_early")
    must_fail = bool(errors) or (out_of_range and replay_of is None)
    if out_of_range:
        errors.add((InvalidInput, "occurred_at"))
    return Expectation(frozenset(errors), must_fail, replay_of)


# -- running a step ----------------------------------------------------------------------


async def run_step(step: Step, world: World, occurred_at: object):
    station = world.stations[step.station]
    item = world.items[step.item]
    options = {
        "by": world.actors[step.actor],
        "occurred_at": occurred_at,
        "note": step.note,
        "idempotency_key": step.key,
    }
    if step.action in SIMPLE_ACTIONS:
        return await SIMPLE_ACTIONS[step.action](station, item, step.amount, **options)
    if step.action == "count":
        return await inventory.record_count(station, item, step.amount, **options)
    if step.action == "report":
        entries = [
            inventory.LineEntry(world.items[n], step.amount, key, step.note, options["occurred_at"])
            for n, key in enumerate(line_keys(step))
        ]
        return tuple(
            await inventory.record_lines(MovementKind.HANDOUT, station, entries, by=options["by"])
        )
    target = station if step.action == "transfer_to_itself" else world.stations[1 - step.station]
    return await inventory.transfer_stock(station, target, item, step.amount, **options)


async def snapshot(world: World) -> Snapshot:
    lines = (
        await StockMovement.all()
        .order_by("id")
        .values_list("station_id", "item_id", "delta", "idempotency_key")
    )
    balances = await StockBalance.all().values_list("station_id", "item_id", "quantity")
    return Snapshot(
        lines=tuple(tuple(line) for line in lines),  # type: ignore[misc]
        balances={
            (world.station_index[s], world.item_index[i]): quantity for s, i, quantity in balances
        },
        audit_events=await AuditEvent.all().count(),
    )


def apply_success(
    step: Step, result: Any, model: Model, world: World, when_recorded: dt.datetime
) -> None:
    """Check a new line (or pair) against the model, then add it there."""
    changes = result if isinstance(result, tuple) else (result,)
    assert all(change.duplicate is False for change in changes)
    amount = step.amount
    assert isinstance(amount, int)
    for change in changes:
        line = change.movement
        station = world.station_index[line.station_id]
        item = world.item_index[line.item_id]
        when = line.occurred_at
        if line.kind is MovementKind.COUNT_ADJUSTMENT:
            delta, superseded = model.count_delta(station, item, amount, when)
            assert (line.counted_quantity, change.superseded) == (amount, superseded)
            event("a count superseded by a later one" if superseded else "a count applied")
        elif line.kind is MovementKind.TRANSFER_IN:
            delta = amount
        else:
            sign = -1 if line.kind in TAKING_KINDS else 1
            delta = sign * amount
        before = model.balance(station, item)
        assert (line.delta, line.quantity) == (delta, abs(delta))
        assert change.balance_after == before + delta
        assert change.discrepancy == (line.kind in TAKING_KINDS and amount > before)
        model.lines.append(
            Line(
                station=station,
                item=item,
                delta=delta,
                is_count=line.kind is MovementKind.COUNT_ADJUSTMENT,
                occurred_at=when,
                recorded_at=when_recorded,
            )
        )
    for n, sent in enumerate(line_keys(step)):
        _ok, key = cleaned_key(sent)
        if key is not None:
            line = changes[n].movement
            model.keys[key] = (signature(step, n), line.id, line.occurred_at, line.recorded_at)


async def check_invariants(world: World, model: Model, seen: Snapshot) -> None:
    # The balance of every station × item is the sum of its deltas and what the model says.
    summed: Counter[tuple[int, int]] = Counter()
    for station_id, item_id, delta, _key in seen.lines:
        summed[world.station_index[station_id], world.item_index[item_id]] += delta
    nonzero = {pair: total for pair, total in seen.balances.items() if total}
    assert nonzero == {pair: total for pair, total in summed.items() if total}
    assert nonzero == {pair: total for pair, total in model.balances().items() if total}
    assert len(seen.lines) == len(model.lines)
    kept_keys = [key for *_rest, key in seen.lines if key is not None]
    assert sorted(kept_keys) == sorted(model.keys)
    assert await balance_matches_ledger() is True


# -- the property ------------------------------------------------------------------------


async def make_world(start: dt.date) -> World:
    campaign = await make_campaign(starts_on=start)
    stations = (await make_station(campaign), await make_station(campaign))
    items = (await make_item("water"), await make_item("towel"))
    volunteer = await make_volunteer()
    return World(
        stations=stations,
        items=items,
        actors={
            "system": Actor.system(),
            "volunteer": Actor.volunteer(volunteer.id, volunteer.full_name),
            "nobody": "nobody",
        },
        station_index={station.id: n for n, station in enumerate(stations)},
        item_index={item.id: n for n, item in enumerate(items)},
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs)
async def test_random_stock_programs_keep_ledger_and_balances_consistent(db, program):
    await truncate_all(db)
    clock = FrozenClock(DEFAULT_NOW)
    campaign_starts = dt.date(2027, 1, 30)
    with use_clock(clock):
        world = await make_world(campaign_starts)
        model = Model()
        seen = await snapshot(world)
        previous: tuple[Step, object] | None = None
        for number, drawn in enumerate(program, start=1):
            step = drawn
            clock.advance(dt.timedelta(minutes=step.wait_minutes))
            occurred_at = occurred_at_of(step, clock.now(), campaign_starts)
            if drawn.retry and previous is not None:
                step = replace(previous[0], wait_minutes=drawn.wait_minutes, retry=True)
                occurred_at = previous[1]
            previous = (step, occurred_at)
            note(f"step {number}: {step}, at {occurred_at!r}")
            expected = expect(step, model, occurred_at)
            before = seen
            try:
                result = await run_step(step, world, occurred_at)
            except StationsError as error:
                event(f"{step.action}: {type(error).__name__}({error.field})")
                seen = await snapshot(world)
                assert (type(error), error.field) in expected.acceptable_errors, (
                    f"step {number} raised {type(error).__name__}({error.field!r}): {error}; "
                    f"expected one of {sorted((c.__name__, f) for c, f in expected.acceptable_errors)}"
                )
                assert seen == before, f"step {number} failed but wrote something"
            else:
                assert not expected.must_fail, (
                    f"step {number} succeeded; expected one of "
                    f"{sorted((c.__name__, f) for c, f in expected.acceptable_errors)}"
                )
                seen = await snapshot(world)
                replayed = expected.replay_of is not None
                event(f"{step.action}: {'replayed' if replayed else 'written'}")
                if replayed:
                    changes = result if isinstance(result, tuple) else (result,)
                    assert all(change.duplicate for change in changes)
                    assert changes[0].movement.id == expected.replay_of
                    assert seen == before, f"step {number} replayed a key but wrote something"
                else:
                    apply_success(step, result, model, world, clock.now())
                    # one event per line; a transfer's two lines are one event
                    events = 2 if step.action == "report" else 1
                    assert seen.audit_events == before.audit_events + events
            await check_invariants(world, model, seen)


# -- a defect found while writing the property above -------------------------------------


@pytest.mark.parametrize("key", [None, "k1"])
async def test_receipt_by_a_volunteer_whose_row_is_gone_is_refused_naming_by(db, clock, key):
    station = await make_station()
    item = await make_item("water")
    ghost = Actor.volunteer(999_999, "Nguyễn Văn Đã Xoá")

    with pytest.raises(StationsError) as caught:
        await inventory.record_receipt(station, item, 5, by=ghost, idempotency_key=key)

    assert caught.value.field == "by"
    assert await StockMovement.all().count() == 0


async def test_service_record_by_a_user_whose_row_is_gone_is_refused_naming_by(db, clock):
    station = await make_station()

    with pytest.raises(StationsError) as caught:
        await record_service(station, "first_aid", 1, by=Actor.user(999_999, "gone@example.vn"))

    assert (caught.value.field, await ServiceRecord.all().count()) == ("by", 0)
