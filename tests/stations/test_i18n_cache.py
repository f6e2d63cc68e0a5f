"""The parsed catalogs are cached as JSON, named by a fingerprint of the ``.po`` files: a
changed ``.po`` is read again, a broken or unwritable cache only costs the parse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stations import i18n
from stations.enums import Language

pytestmark = pytest.mark.unit

PO = """msgid ""
msgstr ""
"Language: vi\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Stock"
msgstr "STOCK"

msgid "{n} bottle"
msgid_plural "{n} bottles"
msgstr[0] "{n} chai"
"""


@pytest.fixture
def locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "locale" / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "one.po").write_text(PO.replace("STOCK", "Tồn kho"), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setattr(i18n, "CACHE_DIR", tmp_path / "cache")
    return folder


def _fresh_catalog() -> dict[str, str | tuple[str, ...]]:
    return i18n._catalog.__wrapped__(Language.VI)


def test_catalog_is_cached_and_read_back_from_the_cache(locale):
    first = _fresh_catalog()
    cached = list((locale.parents[2] / "cache").glob("catalog-vi-*.json"))
    second = _fresh_catalog()

    assert first == {"Stock": "Tồn kho", "{n} bottle": ("{n} chai",)}
    assert len(cached) == 1
    assert second == first


def test_an_edited_po_is_parsed_again_and_the_stale_cache_removed(locale):
    _fresh_catalog()
    po = locale / "one.po"
    po.write_text(PO.replace("STOCK", "Hàng trong kho"), encoding="utf-8")
    os.utime(po, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns + 1_000_000))

    edited = _fresh_catalog()

    assert edited["Stock"] == "Hàng trong kho"
    assert len(list((locale.parents[2] / "cache").glob("catalog-vi-*.json"))) == 1


def test_two_checkouts_sharing_one_cache_keep_a_cache_each(locale, monkeypatch, tmp_path):
    _fresh_catalog()
    other = tmp_path / "other-checkout" / "locale"
    (other / "vi" / "LC_MESSAGES").mkdir(parents=True)
    (other / "vi" / "LC_MESSAGES" / "one.po").write_text(
        PO.replace("STOCK", "Kho"), encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", other)

    assert _fresh_catalog()["Stock"] == "Kho"
    assert len(list((tmp_path / "cache").glob("catalog-vi-*.json"))) == 2


def test_a_broken_cache_file_is_parsed_again(locale):
    _fresh_catalog()
    (cached,) = (locale.parents[2] / "cache").glob("catalog-vi-*.json")
    cached.write_text("{not json", encoding="utf-8")

    assert _fresh_catalog()["Stock"] == "Tồn kho"


def test_an_unwritable_cache_only_costs_the_parse(locale, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(i18n, "CACHE_DIR", blocker / "cache")

    assert _fresh_catalog()["Stock"] == "Tồn kho"


def test_the_real_catalogs_read_the_same_from_cache_and_from_po(monkeypatch, tmp_path):
    monkeypatch.setattr(i18n, "CACHE_DIR", tmp_path)
    paths = sorted((i18n.LOCALE_DIR / "vi" / "LC_MESSAGES").glob("*.po"))

    parsed = i18n._parse_catalog(paths, Language.VI)
    _fresh_catalog()
    from_cache = _fresh_catalog()

    assert from_cache == parsed
    assert len(parsed) > 1000
