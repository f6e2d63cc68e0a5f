"""The pages keep to the Content-Security-Policy the app sends: no inline script or style.

The policy (``script-src 'self'; style-src 'self'``) makes a browser ignore inline code, so a
template that used some would silently lose it: this test finds it first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stations.web.app import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.unit

TEMPLATES = Path(__file__).resolve().parents[3] / "stations" / "web" / "templates"
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_policy_allows_only_our_own_scripts_and_styles():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))

    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_no_template_relies_on_inline_script_or_style():
    found = [
        f"{path.relative_to(TEMPLATES)}:{source.count(chr(10), 0, match.start()) + 1}: {what}"
        for path in _templates()
        for source in [path.read_text(encoding="utf-8")]
        for what, pattern in INLINE.items()
        for match in pattern.finditer(source)
    ]

    assert found == []


def test_the_scan_sees_the_templates():
    assert any(path.name == "layout.html" for path in _templates())
