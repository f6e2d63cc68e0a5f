"""The supply catalog: what a station hands out, and the words volunteers use for it.

Every item *claims* some folded words (its code, both names, its aliases). Two items never
claim the same word, so ``find_item("khăn")`` has one answer when the bot parses
"/phat nuoc 50 khăn 30".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import functools
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import SupplyCategory
from stations.i18n import _
from stations.models import SupplyItem
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.edits import audit_value
from stations.services.errors import Conflict, InvalidInput
from stations.services.inventory import check_actor, load_item
from stations.services.validation import check_choice, check_optional_text, check_whole_number
from stations.text import clean, fold, fold_telex

CODE_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
NAME_MAX: Final = 100
UNIT_MAX: Final = 20
ALIAS_MAX: Final = 50
ALIASES_MAX: Final = 20
UNIT_COST_MAX: Final = 10_000_000
LOW_STOCK_MAX: Final = 1_000_000


@dataclass(frozen=True)
class StandardItem:
    code: str
    name_vi: str
    name_en: str
    unit_vi: str
    unit_en: str
    category: SupplyCategory
    aliases: tuple[str, ...]
    unit_cost_vnd: int
    default_low_stock: int


#: What the Đồng Tháp stations hand out (the article: water, cold towels, food, fuel,
#: leaflets), plus instant noodles, a usual Tết gift. Costs are typical 2027 prices.
STANDARD_ITEMS: Final[tuple[StandardItem, ...]] = (
    StandardItem(
        code="water",
        name_vi="Nước suối",
        name_en="Bottled water",
        unit_vi="chai",
        unit_en="bottle",
        category=SupplyCategory.WATER,
        aliases=(
            "nuoc",
            "nuoc suoi",
            "nuoc uong",
            "chai nuoc",
            "nuoc khoang",
            "nuoc loc",
            "nuoc tinh khiet",
            "chai",
            "water",
            "bottle",
            "mineral water",
        ),
        unit_cost_vnd=4_000,
        default_low_stock=100,
    ),
    StandardItem(
        code="towel",
        name_vi="Khăn lạnh",
        name_en="Cold towel",
        unit_vi="khăn",
        unit_en="towel",
        category=SupplyCategory.TOWEL,
        aliases=(
            "khan",
            "khan lanh",
            "khan uot",
            "khan giay uot",
            "khan lau",
            "towel",
            "wet towel",
            "wipes",
        ),
        unit_cost_vnd=1_500,
        default_low_stock=100,
    ),
    StandardItem(
        code="food",
        name_vi="Bánh, thực phẩm",
        name_en="Food",
        unit_vi="phần",
        unit_en="portion",
        category=SupplyCategory.FOOD,
        aliases=(
            "banh",
            "thuc pham",
            "do an",
            "banh keo",
            "phan an",
            "banh mi",
            "suat an",
            "com",
            "com hop",
            "xoi",
            "food",
            "snack",
            "cake",
            "bread",
            "meal",
        ),
        unit_cost_vnd=10_000,
        default_low_stock=30,
    ),
    StandardItem(
        code="noodles",
        name_vi="Mì gói",
        name_en="Instant noodles",
        unit_vi="gói",
        unit_en="pack",
        category=SupplyCategory.FOOD,
        aliases=("mi", "mi goi", "mi tom", "mi ly", "noodles", "noodle"),
        unit_cost_vnd=5_000,
        default_low_stock=30,
    ),
    StandardItem(
        code="fuel",
        name_vi="Xăng",
        name_en="Fuel",
        unit_vi="lít",
        unit_en="litre",
        category=SupplyCategory.FUEL,
        aliases=(
            "xang",
            "lit xang",
            "xang dau",
            "dau",
            "xang xe",
            "fuel",
            "petrol",
            "gas",
            "gasoline",
        ),
        unit_cost_vnd=25_000,
        default_low_stock=10,
    ),
    StandardItem(
        code="leaflet",
        name_vi="Tờ rơi",
        name_en="Leaflet",
        unit_vi="tờ",
        unit_en="sheet",
        category=SupplyCategory.LEAFLET,
        aliases=(
            "to roi",
            "to gap",
            "to",
            "tai lieu",
            "truyen don",
            "to buom",
            "leaflet",
            "flyer",
            "brochure",
        ),
        unit_cost_vnd=500,
        default_low_stock=100,
    ),
)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final[Any] = _Unset()


async def install_standard_items(*, by: Actor) -> list[SupplyItem]:
    """Create the standard items that are missing (by code); existing ones are left alone.

    A word another item already claims is dropped from the new item's aliases, so the
    bot's matching stays unambiguous. Returns every standard item in catalog order.
    """
    check_actor(by)
    installed: list[SupplyItem] = []
    async with _catalog_change():
        for standard in STANDARD_ITEMS:
            existing = await SupplyItem.get_or_none(code=standard.code)
            if existing is None:
                existing = await _install(standard, by=by)
            installed.append(existing)
    return installed


async def _install(standard: StandardItem, *, by: Actor) -> SupplyItem:
    taken = _claimed_words(await SupplyItem.all())
    aliases = [a for a in standard.aliases if a not in taken]
    try:
        async with in_transaction():
            item = await SupplyItem.create(
                code=standard.code,
                name_vi=standard.name_vi,
                name_en=standard.name_en,
                unit_vi=standard.unit_vi,
                unit_en=standard.unit_en,
                category=standard.category,
                aliases=aliases,
                unit_cost_vnd=standard.unit_cost_vnd,
                default_low_stock=standard.default_low_stock,
            )
    except IntegrityError:
        # Another installer created it a moment ago.
        return await SupplyItem.get(code=standard.code)
    await record_event(
        by,
        "supply_item.installed",
        object_type="supply_item",
        object_id=item.id,
        data={"code": item.code, "aliases": aliases},
    )
    return item


async def create_item(
    *,
    code: str,
    name_vi: str,
    name_en: str,
    unit_vi: str,
    unit_en: str,
    category: SupplyCategory | str,
    aliases: Sequence[str] = (),
    unit_cost_vnd: int = 0,
    default_low_stock: int = 0,
    by: Actor,
) -> SupplyItem:
    check_actor(by)
    values: dict[str, Any] = {
        "code": _check_code(code),
        "name_vi": _check_text(name_vi, field="name_vi", maximum=NAME_MAX),
        "name_en": _check_text(name_en, field="name_en", maximum=NAME_MAX),
        "unit_vi": _check_text(unit_vi, field="unit_vi", maximum=UNIT_MAX),
        "unit_en": _check_text(unit_en, field="unit_en", maximum=UNIT_MAX),
        "category": _check_category(category),
        "aliases": _check_aliases(aliases),
        "unit_cost_vnd": _check_amount(unit_cost_vnd, field="unit_cost_vnd", maximum=UNIT_COST_MAX),
        "default_low_stock": _check_amount(
            default_low_stock, field="default_low_stock", maximum=LOW_STOCK_MAX
        ),
    }
    async with _catalog_change():
        if await SupplyItem.exists(code=values["code"]):
            raise Conflict(
                _("A supply item with the code {code} already exists."),
                field="code",
                code=values["code"],
            )
        await _refuse_claimed(values, others=await SupplyItem.all())
        try:
            async with in_transaction():
                item = await SupplyItem.create(**values)
        except IntegrityError as exc:
            raise Conflict(
                _("A supply item with the code {code} already exists."),
                field="code",
                code=values["code"],
            ) from exc
        await record_event(
            by,
            "supply_item.created",
            object_type="supply_item",
            object_id=item.id,
            data={"code": item.code},
        )
    return item


async def update_item(
    item: SupplyItem,
    *,
    by: Actor,
    name_vi: str = UNSET,
    name_en: str = UNSET,
    unit_vi: str = UNSET,
    unit_en: str = UNSET,
    category: SupplyCategory | str = UNSET,
    aliases: Sequence[str] = UNSET,
    unit_cost_vnd: int = UNSET,
    default_low_stock: int = UNSET,
    is_active: bool = UNSET,
) -> SupplyItem:
    """Change the given fields of ``item``. The code never changes: links and reports use it."""
    check_actor(by)
    changes: dict[str, Any] = {}
    if name_vi is not UNSET:
        changes["name_vi"] = _check_text(name_vi, field="name_vi", maximum=NAME_MAX)
    if name_en is not UNSET:
        changes["name_en"] = _check_text(name_en, field="name_en", maximum=NAME_MAX)
    if unit_vi is not UNSET:
        changes["unit_vi"] = _check_text(unit_vi, field="unit_vi", maximum=UNIT_MAX)
    if unit_en is not UNSET:
        changes["unit_en"] = _check_text(unit_en, field="unit_en", maximum=UNIT_MAX)
    if category is not UNSET:
        changes["category"] = _check_category(category)
    if aliases is not UNSET:
        changes["aliases"] = _check_aliases(aliases)
    if unit_cost_vnd is not UNSET:
        changes["unit_cost_vnd"] = _check_amount(
            unit_cost_vnd, field="unit_cost_vnd", maximum=UNIT_COST_MAX
        )
    if default_low_stock is not UNSET:
        changes["default_low_stock"] = _check_amount(
            default_low_stock, field="default_low_stock", maximum=LOW_STOCK_MAX
        )
    if is_active is not UNSET:
        if not isinstance(is_active, bool):
            raise InvalidInput(_("Choose yes or no."), field="is_active")
        changes["is_active"] = is_active
    if not changes:
        return await load_item(item, require_active=False)
    async with _catalog_change():
        current = await load_item(item, require_active=False)
        merged = {
            "code": current.code,
            "name_vi": current.name_vi,
            "name_en": current.name_en,
            "aliases": current.aliases,
            **changes,
        }
        await _refuse_claimed(merged, others=await SupplyItem.exclude(id=current.id))
        before = {name: audit_value(getattr(current, name)) for name in changes}
        current.update_from_dict(changes)
        await current.save(update_fields=list(changes))
        await record_event(
            by,
            "supply_item.updated",
            object_type="supply_item",
            object_id=current.id,
            data={"before": before, "after": {k: audit_value(v) for k, v in changes.items()}},
        )
    return current


async def find_item(text: str) -> SupplyItem | None:
    """The active item a volunteer means by ``text`` ("Nước", "nuoc suoi", "towels"), if any."""
    return (await find_items([text]))[0]


async def find_items(texts: Sequence[object]) -> list[SupplyItem | None]:
    """``find_item`` for each of ``texts`` (one report names several items), one query."""
    if not any(isinstance(text, str) and fold(text) for text in texts):
        return [None] * len(texts)
    index = await catalog_index()
    return [index.find(text) if isinstance(text, str) else None for text in texts]


#: Words for packs and crates that are no item's unit: "2 thùng nước" is refused with the
#: item's own unit rather than read as 2 bottles.
PACKAGING_WORDS: Final = frozenset(
    {"thung", "hop", "loc", "ket", "bich", "bao", "kg", "can", "binh", "box", "case", "crate"}
)
#: How close a typed word must be to an item's word to be offered as "did you mean".
SUGGESTION_CUTOFF: Final = 0.6
SUGGESTIONS_MAX: Final = 3


@dataclass(frozen=True, slots=True)
class ItemMatch:
    """What ``CatalogIndex.read`` made of an item's words and the unit typed beside them."""

    item: SupplyItem | None
    #: a unit word typed that is not how ``item`` is counted ("thùng" for water), else ""
    wrong_unit: str = ""


class CatalogIndex:
    """The active items and every folded word that names one, built once per catalog
    version: the bot reads it on every report."""

    def __init__(self, items: Sequence[SupplyItem], words: _Words) -> None:
        self.items = list(items)
        self._words = words

    @classmethod
    def of(cls, items: Sequence[SupplyItem]) -> CatalogIndex:
        """The index of ``items`` (active ones, in catalog order)."""
        return cls(items, _words_of(_signature(items)))

    def find(self, text: str) -> SupplyItem | None:
        """The item ``text`` names: its folded words, then as Telex keystrokes."""
        word = fold(text)
        if not word:
            return None
        position = _lookup(self._words.by_word, word)
        if position is None:
            position = _lookup(self._words.by_word, fold_telex(word))
        return self.items[position] if position is not None else None

    def is_unit(self, text: str) -> bool:
        """``text`` is a unit some item is counted in, or a pack or crate."""
        return self._unit_key(text) is not None

    def counted_in(self, item: SupplyItem, text: str) -> bool:
        key = self._unit_key(text)
        return key is not None and key in {fold(item.unit_vi), fold(item.unit_en)}

    def _unit_key(self, text: str) -> str | None:
        units = self._words.units
        for word in (fold(text), fold_telex(text)):
            if word in units:
                return word
            if word.endswith("s") and word[:-1] in units:  # "bottles"
                return word[:-1]
        return None

    def names_counted_in(self, words: str, unit: str) -> bool:
        """``words`` name an item counted in ``unit`` ("nước", "chai")."""
        item = self.find(words)
        return item is not None and self.counted_in(item, unit)

    def read(self, words: str, unit: str = "") -> ItemMatch:
        """The item of ``words`` and whether ``unit`` is how it is counted; a unit word may
        also stand first or last among the words ("chai nước", "nước chai")."""
        item = self.find(words)
        parts = words.split()
        if item is None and len(parts) > 1 and not unit:
            if self.is_unit(parts[0]):
                unit, item = parts[0], self.find(" ".join(parts[1:]))
            if item is None and self.is_unit(parts[-1]):
                unit, item = parts[-1], self.find(" ".join(parts[:-1]))
        if item is None:
            return ItemMatch(None)
        if unit and not self.counted_in(item, unit):
            return ItemMatch(item, wrong_unit=unit)
        return ItemMatch(item)

    def suggest(self, text: str) -> list[SupplyItem]:
        """The items whose words are closest to ``text``, closest first (at most 3)."""
        found: list[SupplyItem] = []
        for word in (fold(text), fold_telex(text)):
            close = difflib.get_close_matches(
                word, self._words.by_word, n=10, cutoff=SUGGESTION_CUTOFF
            )
            for match in close:
                item = self.items[self._words.by_word[match]]
                if item not in found:
                    found.append(item)
        return found[:SUGGESTIONS_MAX]


@dataclass(frozen=True, slots=True)
class _Words:
    #: folded word → position of its item in the catalog's list
    by_word: dict[str, int]
    units: frozenset[str]


#: What matching reads of an item: its id, code, names, units and aliases.
_Row = tuple[int, str, str, str, str, str, tuple[str, ...]]


def _signature(items: Sequence[SupplyItem]) -> tuple[_Row, ...]:
    return tuple(
        (i.id, i.code, i.name_vi, i.name_en, i.unit_vi, i.unit_en, tuple(i.aliases or ()))
        for i in items
    )


@functools.lru_cache(maxsize=4)
def _words_of(signature: tuple[_Row, ...]) -> _Words:
    by_word: dict[str, int] = {}
    units: set[str] = set(PACKAGING_WORDS)
    for position, (_id, code, name_vi, name_en, unit_vi, unit_en, aliases) in enumerate(signature):
        for word in _claims(code, name_vi, name_en, aliases):
            by_word.setdefault(word, position)
        units.update(w for w in (fold(unit_vi), fold(unit_en)) if w)
    return _Words(by_word, frozenset(units))


#: How long a process trusts its copy of the catalog. The bot reads it on every report, and
#: reading it costs a query and a model per item; it changes a few times a campaign, by a
#: coordinator. A change saved in this process by the services here drops the copy at
#: once, when it commits (``_catalog_change``); one saved by another replica, or in this
#: process outside these services, is seen within this time. Meanwhile a report is read with the words as
#: they were, which is harmless: the ledger re-reads each item in its transaction, so an
#: item taken out of use is refused there, never written.
CATALOG_TTL: Final = dt.timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class _CachedCatalog:
    index: CatalogIndex
    read_at: dt.datetime


class _CatalogCache:
    """This process's copy of the catalog; ``generation`` counts the changes seen, so a read
    that a change overtook is not kept."""

    def __init__(self) -> None:
        self.copy: _CachedCatalog | None = None
        self.generation = 0

    def forget(self) -> None:
        self.copy = None
        self.generation += 1


_cache = _CatalogCache()


def forget_catalog() -> None:
    """Drop this process's copy of the catalog: the next report reads it again."""
    _cache.forget()


async def catalog_index() -> CatalogIndex:
    """The active items and their words: from this process's copy when it is younger than
    ``CATALOG_TTL``, else read in one query (the words are folded again only when an item
    changed)."""
    now = clock.now()
    copy = _cache.copy
    if copy is not None and copy.read_at <= now < copy.read_at + CATALOG_TTL:
        return copy.index
    generation = _cache.generation
    index = CatalogIndex.of(await SupplyItem.filter(is_active=True).order_by("id"))
    if generation == _cache.generation:
        _cache.copy = _CachedCatalog(index, now)
    return index


@contextlib.asynccontextmanager
async def _catalog_change() -> AsyncIterator[None]:
    """The transaction of a change to the catalog; this process's copy is dropped once it
    committed (dropped earlier, a copy read meanwhile would keep the catalog as it was)."""
    async with in_transaction():
        yield
    forget_catalog()


def _lookup(by_word: dict[str, int], word: str) -> int | None:
    found = by_word.get(word)
    if found is None and word.endswith("s"):
        found = by_word.get(word[:-1])  # "towels", "leaflets"
    return found


def _claims(code: str, name_vi: str, name_en: str, aliases: Iterable[str]) -> list[str]:
    words = [fold(code), fold(name_vi), fold(name_en), *(fold(a) for a in aliases or ())]
    return [w for w in words if w]


def _claimed_words(items: Iterable[SupplyItem]) -> set[str]:
    return {
        word
        for item in items
        for word in _claims(item.code, item.name_vi, item.name_en, item.aliases)
    }


async def _refuse_claimed(values: dict[str, Any], *, others: Iterable[SupplyItem]) -> None:
    taken: dict[str, SupplyItem] = {}
    for other in others:
        for word in _claims(other.code, other.name_vi, other.name_en, other.aliases):
            taken.setdefault(word, other)
    for word in _claims(values["code"], values["name_vi"], values["name_en"], values["aliases"]):
        if word in taken:
            raise Conflict(
                _('The word "{word}" already names the supply item {item}.'),
                field="aliases",
                word=word,
                item=taken[word].name_vi,
            )


def _check_code(code: object) -> str:
    if not isinstance(code, str) or not CODE_PATTERN.match(code.strip().lower()):
        raise InvalidInput(
            _("The code must be 1 to {max} lower-case letters, digits, - or _."),
            field="code",
            max=32,
        )
    return code.strip().lower()


def _check_text(value: object, *, field: str, maximum: int) -> str:
    if not isinstance(value, str) or not clean(value):
        raise InvalidInput(_("This field is required."), field=field)
    return check_optional_text(
        value,
        field=field,
        max_length=maximum,
        too_long=_("This field can be at most {max} characters."),
    )


def _check_category(value: object) -> SupplyCategory:
    return check_choice(
        value,
        SupplyCategory,
        field="category",
        message=_("Choose a category from the list."),
        exact=True,
    )


def _check_aliases(values: object) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(_("Aliases must be a list of words."), field="aliases")
    folded: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise InvalidInput(_("Aliases must be a list of words."), field="aliases")
        word = fold(value)
        if not word:
            continue
        if len(word) > ALIAS_MAX:
            raise InvalidInput(
                _("An alias can be at most {max} characters."), field="aliases", max=ALIAS_MAX
            )
        if word not in folded:
            folded.append(word)
    if len(folded) > ALIASES_MAX:
        raise InvalidInput(
            _("An item can have at most {max} aliases."), field="aliases", max=ALIASES_MAX
        )
    return folded


def _check_amount(value: object, *, field: str, maximum: int) -> int:
    return check_whole_number(
        value,
        field=field,
        minimum=0,
        maximum=maximum,
        message=_("This must be a whole number between 0 and {max}."),
    )
