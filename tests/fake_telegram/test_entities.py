"""Telegram's formatting rules as the fake server applies them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fake_telegram.entities import (
    EntityParseError,
    detect_entities,
    parse,
    utf16_length,
)

pytestmark = pytest.mark.unit


def test_html_valid_tags_become_entities_with_utf16_offsets():
    parsed = parse("😀 <b>Xin chào</b> <a href='https://tram.vn/a?b=1&amp;c=2'>trạm</a>", "HTML")

    assert parsed.text == "😀 Xin chào trạm"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 8},
        {"type": "text_link", "offset": 12, "length": 4, "url": "https://tram.vn/a?b=1&c=2"},
    ]


def test_html_escaped_characters_are_decoded():
    parsed = parse("&lt;3 &amp; &quot;x&quot; &#39; &#x1F600; a > b", "HTML")

    assert parsed.text == '<3 & "x" \' 😀 a > b'


def test_html_pre_with_code_language_is_one_pre_entity():
    parsed = parse('<pre><code class="language-python">x = 1</code></pre>', "HTML")

    assert parsed.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


def test_html_spoiler_blockquote_and_user_link():
    parsed = parse(
        '<span class="tg-spoiler">a</span><tg-spoiler>b</tg-spoiler>'
        '<blockquote expandable>c</blockquote><a href="tg://user?id=42">d</a>',
        "html",
    )

    assert [e["type"] for e in parsed.entities] == [
        "spoiler",
        "spoiler",
        "expandable_blockquote",
        "text_mention",
    ]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("dòng 1<br>dòng 2", 'Unsupported start tag "br" at byte offset 7'),
        ("<b>đậm", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
    ],
)
def test_html_invalid_markup_is_refused_with_telegram_text(source, detail):
    with pytest.raises(EntityParseError) as caught:
        parse(source, "HTML")

    assert str(caught.value) == detail


def test_html_lone_ampersand_is_refused_when_strict():
    with pytest.raises(EntityParseError) as caught:
        parse("Phở & cà phê", "HTML")

    assert str(caught.value).startswith("Character '&' at byte offset 6 ")


def test_html_lone_ampersand_is_kept_like_telegram_when_not_strict():
    assert parse("Phở & cà phê", "HTML", strict_ampersand=False).text == "Phở & cà phê"


def test_markdown_v2_entities_and_escapes():
    parsed = parse(
        r"*đậm* _nghiêng_ __gạch__ ~x~ ||s|| [a](http://x.vn/\)) `c\`` 1\.5\!", "MarkdownV2"
    )

    assert parsed.text == "đậm nghiêng gạch x s a c` 1.5!"
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "italic", "offset": 4, "length": 7},
        {"type": "underline", "offset": 12, "length": 4},
        {"type": "strikethrough", "offset": 17, "length": 1},
        {"type": "spoiler", "offset": 19, "length": 1},
        {"type": "text_link", "offset": 21, "length": 1, "url": "http://x.vn/)"},
        {"type": "code", "offset": 23, "length": 2},
    ]


def test_markdown_v2_pre_block_and_blockquote():
    pre = parse("```python\nx = 1\n```", "MarkdownV2")
    quote = parse(">Trạm 1\n>Trạm 2\nhết", "MarkdownV2")

    assert pre.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    assert quote.entities == [{"type": "blockquote", "offset": 0, "length": 13}]


@pytest.mark.parametrize("character", list("_*[]()~`>#+-=|{}.!"))
def test_markdown_v2_unescaped_reserved_character_is_refused(character):
    with pytest.raises(EntityParseError) as caught:
        parse(f"Ca {character}", "MarkdownV2") if character in "_*[~`|" else parse(
            f"Ca 8{character}00", "MarkdownV2"
        )

    assert "must be escaped with the preceding '\\'" in str(caught.value) or str(
        caught.value
    ).startswith("Can't find end of")


def test_markdown_v2_dot_error_is_telegram_text():
    with pytest.raises(EntityParseError) as caught:
        parse("Ca trực bắt đầu 8.00", "MarkdownV2")

    assert (
        str(caught.value) == "Character '.' is reserved and must be escaped with the preceding '\\'"
    )


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("*đậm", "Can't find end of Bold entity at byte offset 0"),
        ("x _y", "Can't find end of Italic entity at byte offset 2"),
        ("[a](http://x", "Can't find end of a URL at byte offset 4"),
        ("```python\nx", "Can't find end of PreCode entity at byte offset 0"),
    ],
)
def test_markdown_v2_unclosed_entity_is_refused(source, detail):
    with pytest.raises(EntityParseError) as caught:
        parse(source, "MarkdownV2")

    assert str(caught.value) == detail


def test_legacy_markdown_entities_and_unclosed_entity():
    parsed = parse("*đậm* _nghiêng_ `mã` [trạm](https://tram.vn)", "Markdown")

    assert parsed.text == "đậm nghiêng mã trạm"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte"):
        parse("*b* _i", "Markdown")


def test_unknown_parse_mode_is_a_value_error():
    with pytest.raises(ValueError, match="unsupported parse_mode"):
        parse("x", "BBCode")


def test_plain_text_is_trimmed_like_telegram():
    assert parse("  \n xin chào \n", None).text == "xin chào"


def test_trimming_shifts_entities():
    assert parse("  <b>x</b>", "HTML").entities == [{"type": "bold", "offset": 0, "length": 1}]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("/start abc", [("bot_command", 0, 6)]),
        ("/start@waystation_test_bot", [("bot_command", 0, 26)]),
        ("xin chào /help", [("bot_command", 9, 5)]),
        ("/phát nước 50", []),  # Telegram's commands are ASCII: "/ph" + "á" is no command
        ("/a/b", []),
        ("và/start", []),
        (
            "@volunteer_an #tet https://tram.vn/x.",
            [("mention", 0, 13), ("hashtag", 14, 4), ("url", 19, 17)],
        ),
    ],
)
def test_detect_entities_like_telegram(text, found):
    assert [(e["type"], e["offset"], e["length"]) for e in detect_entities(text)] == found


def test_detected_entities_skip_code():
    parsed = parse("<code>/start</code> /help", "HTML")

    assert [e["type"] for e in parsed.entities] == ["code", "bot_command"]


def test_utf16_length_counts_astral_characters_twice():
    assert utf16_length("a😀ộ") == 4


TEXT = st.text(alphabet=st.sampled_from(list("ab ạ😀\n<>/&;#x*_~`|[]()\\!.-=bi")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(source=TEXT, mode=st.sampled_from(["HTML", "MarkdownV2", "Markdown", None]))
def test_any_text_parses_or_is_refused_with_a_parse_error(source, mode):
    try:
        parsed = parse(source, mode, strict_ampersand=False)
    except EntityParseError:
        return

    length = utf16_length(parsed.text)
    for entity in parsed.entities:
        assert entity["length"] > 0
        assert entity["offset"] >= 0 and entity["offset"] + entity["length"] <= length
