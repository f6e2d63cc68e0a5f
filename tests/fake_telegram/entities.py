"""Telegram's text formatting: HTML, MarkdownV2 and legacy Markdown into plain text + entities.

The parsers follow the rules of Telegram's Bot API ("Formatting options") and answer the same
"can't parse entities" error texts Telegram does, with byte offsets into the UTF-8 source.
Entity offsets and lengths are in UTF-16 code units, as Telegram sends them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"


class EntityParseError(ValueError):
    """The text cannot be parsed in its parse mode; ``str(err)`` is Telegram's detail text."""


@dataclass
class _Span:
    """An entity while parsing: offsets are code-point indexes into the plain text."""

    type: str
    start: int
    end: int = -1
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Parsed:
    text: str
    entities: list[dict[str, Any]]


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _utf16_prefix(text: str) -> list[int]:
    prefix = [0]
    for ch in text:
        prefix.append(prefix[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return prefix


def _to_entities(text: str, spans: list[_Span]) -> list[dict[str, Any]]:
    prefix = _utf16_prefix(text)
    entities: list[dict[str, Any]] = []
    for span in spans:
        if span.end <= span.start:
            continue
        entity: dict[str, Any] = {
            "type": span.type,
            "offset": prefix[span.start],
            "length": prefix[span.end] - prefix[span.start],
        }
        entity.update(span.extra)
        entities.append(entity)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return entities


def _strip(text: str, spans: list[_Span]) -> tuple[str, list[_Span]]:
    """Telegram trims leading and trailing whitespace of a message, shifting its entities."""
    left = len(text) - len(text.lstrip())
    stripped = text.strip()
    moved = []
    for span in spans:
        start = min(max(span.start - left, 0), len(stripped))
        end = min(max(span.end - left, 0), len(stripped))
        moved.append(_Span(span.type, start, end, span.extra))
    return stripped, moved


# ---------------------------------------------------------------- HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_-]*")


def _decode_entity(source: str, i: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY.match(source, i)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _decode_attribute(value: str) -> str:
    out = []
    i = 0
    while i < len(value):
        decoded = _decode_entity(value, i) if value[i] == "&" else None
        if decoded:
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _parse_attributes(source: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Attributes of a start tag from ``i``; returns them and the index just past ``>``."""
    attributes: dict[str, str] = {}
    n = len(source)
    while True:
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        if source[i] == ">":
            return attributes, i + 1
        name_match = _ATTRIBUTE_NAME.match(source, i)
        assert name_match is not None
        name = name_match.group().lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        i = name_match.end()
        while i < n and source[i].isspace():
            i += 1
        if i < n and source[i] != "=":
            attributes[name] = ""  # a bare attribute, like <blockquote expandable>
            continue
        i += 1
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        if source[i] in "\"'":
            quote = source[i]
            close = source.find(quote, i + 1)
            if close < 0:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                )
            raw = source[i + 1 : close]
            i = close + 1
        else:
            start = i
            while i < n and not source[i].isspace() and source[i] != ">":
                i += 1
            raw = source[start:i]
        attributes[name] = _decode_attribute(raw)


def parse_html(source: str, *, strict_ampersand: bool = True) -> Parsed:
    """Parse Telegram HTML.

    ``strict_ampersand``: Telegram itself keeps a lone ``&`` that starts no entity; the fake
    refuses it by default, because it nearly always means a bot forgot to escape user text.
    """
    out: list[str] = []
    stack: list[tuple[str, _Span]] = []
    spans: list[_Span] = []
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        if ch == "&":
            decoded = _decode_entity(source, i)
            if decoded:
                out.append(decoded[0])
                i = decoded[1]
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f"Character '&' at byte offset {_byte_offset(source, i)} is not part of an "
                    "HTML entity and must be escaped as &amp; (strict check of the fake server)"
                )
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and source[i] == "/":
            i += 1
            name_start = i
            while i < n and not source[i].isspace() and source[i] != ">":
                i += 1
            end_name = source[name_start:i].lower()
            while i < n and source[i].isspace():
                i += 1
            if i >= n or source[i] != ">":
                raise EntityParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, begin)}"
                )
            if not stack:
                raise EntityParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, begin)}"
                )
            open_tag, span = stack.pop()
            if end_name and end_name != open_tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                    f'expected "</{open_tag}>", found "</{end_name}>"'
                )
            span.end = len(out)
            spans.append(span)
            i += 1
            continue
        name_start = i
        while i < n and not source[i].isspace() and source[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
            )
        tag = source[name_start:i].lower()
        if tag not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
            )
        attributes, i = _parse_attributes(source, i, tag, begin)
        span = _html_span(tag, attributes, len(out), stack, source, begin)
        stack.append((tag, span))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    text, spans = _strip("".join(out), [s for s in spans if s.type != "_ignored"])
    return Parsed(text, _to_entities(text, spans))


def _html_span(
    tag: str,
    attributes: dict[str, str],
    start: int,
    stack: list[tuple[str, _Span]],
    source: str,
    begin: int,
) -> _Span:
    kind = _HTML_TAGS[tag]
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(source, begin)}'
        )
    if tag == "a":
        href = attributes.get("href", "")
        user = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if user:
            return _Span("text_mention", start, extra={"user": {"id": int(user.group(1))}})
        if not href:
            return _Span("_ignored", start)
        return _Span(kind, start, extra={"url": href})
    if tag == "code" and stack and stack[-1][0] == "pre":
        language = attributes.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            stack[-1][1].extra["language"] = language[len("language-") :]
        return _Span("_ignored", start)  # <pre><code> is one pre entity
    if tag == "blockquote" and "expandable" in attributes:
        return _Span("expandable_blockquote", start)
    if tag == "tg-emoji":
        emoji_id = attributes.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise EntityParseError(
                f'Expected emoji-id attribute in the tag "tg-emoji" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        return _Span(kind, start, extra={"custom_emoji_id": emoji_id})
    return _Span(kind, start)


# ---------------------------------------------------------------- MarkdownV2

_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "custom_emoji": "CustomEmoji",
}


def _reserved(ch: str, source: str, i: int) -> EntityParseError:
    return EntityParseError(
        f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
    )


def _closes(span: _Span, source: str, i: int) -> bool:
    ch = source[i]
    nxt = source[i + 1] if i + 1 < len(source) else ""
    match span.type:
        case "bold":
            return ch == "*"
        case "italic":
            return ch == "_" and nxt != "_"
        case "underline":
            return ch == "_" and nxt == "_"
        case "strikethrough":
            return ch == "~"
        case "spoiler":
            return ch == "|" and nxt == "|"
        case "code":
            return ch == "`"
        case "pre":
            return source.startswith("```", i)
        case "text_link" | "custom_emoji":
            return ch == "]"
    return False


def parse_markdown_v2(source: str) -> Parsed:
    out: list[str] = []
    stack: list[tuple[_Span, int]] = []  # the span and its byte offset in the source
    spans: list[_Span] = []
    quote: _Span | None = None
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        in_code = bool(stack) and stack[-1][0].type in {"code", "pre"}
        at_line_start = i == 0 or source[i - 1] == "\n"
        if ch == "\\" and i + 1 < n and 0 < ord(source[i + 1]) <= 126:
            out.append(source[i + 1])
            i += 2
            continue
        if ch == "\n" and quote is not None and not source.startswith(">", i + 1):
            quote.end = len(out)
            spans.append(quote)
            quote = None
        if not in_code and at_line_start and not stack:
            expandable = source.startswith("**>", i)
            if ch == ">" or expandable:
                if quote is None:
                    quote = _Span("expandable_blockquote" if expandable else "blockquote", len(out))
                i += 3 if expandable else 1
                continue
        reserved = "`" if in_code else MARKDOWN_V2_RESERVED
        if ch not in reserved:
            out.append(ch)
            i += 1
            continue
        if stack and _closes(stack[-1][0], source, i):
            span, _ = stack.pop()
            span.end = len(out)
            i = _close_v2(span, source, i, out)
            spans.append(span)
            continue
        begin = i
        if ch == "_":
            if source.startswith("__", i):
                span = _Span("underline", len(out))
                i += 1
            else:
                span = _Span("italic", len(out))
        elif ch == "*":
            span = _Span("bold", len(out))
        elif ch == "~":
            span = _Span("strikethrough", len(out))
        elif ch == "|":
            if not source.startswith("||", i):
                raise _reserved(ch, source, i)
            if quote is not None and (i + 2 >= n or source[i + 2] == "\n"):
                quote.type = "expandable_blockquote"  # "||" ending a quote makes it expandable
                i += 2
                continue
            span = _Span("spoiler", len(out))
            i += 1
        elif ch == "[":
            span = _Span("text_link", len(out))
        elif ch == "!" and source.startswith("![", i):
            span = _Span("custom_emoji", len(out))
            i += 1
        elif ch == "`":
            if source.startswith("```", i):
                span = _Span("pre", len(out))
                i += 3
                language_end = i
                while (
                    language_end < n
                    and not source[language_end].isspace()
                    and source[language_end] != "`"
                ):
                    language_end += 1
                if language_end != i and language_end < n and source[language_end] != "`":
                    span.extra["language"] = source[i:language_end]
                    i = language_end
                if i < n and source[i] in "\r\n":
                    i += 2 if source[i : i + 2] in {"\r\n", "\n\r"} else 1
                stack.append((span, _byte_offset(source, begin)))
                continue
            span = _Span("code", len(out))
        else:
            raise _reserved(ch, source, i)
        stack.append((span, _byte_offset(source, begin)))
        i += 1
    if stack:
        span, byte_offset = stack[-1]
        name = _V2_NAMES.get(span.type, span.type)
        if span.type == "pre" and "language" in span.extra:
            name = "PreCode"
        raise EntityParseError(f"Can't find end of {name} entity at byte offset {byte_offset}")
    if quote is not None:
        quote.end = len(out)
        spans.append(quote)
    text, spans = _strip("".join(out), spans)
    return Parsed(text, _to_entities(text, spans))


def _close_v2(span: _Span, source: str, i: int, out: list[str]) -> int:
    """Finish ``span`` whose closing mark is at ``i``; returns the index after the mark."""
    if span.type in {"underline", "spoiler"}:
        return i + 2
    if span.type == "pre":
        return i + 3
    if span.type in {"text_link", "custom_emoji"}:
        if not source.startswith("(", i + 1):
            if span.type == "custom_emoji":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            span.extra["url"] = "".join(out[span.start :])
            return i + 1
        j = i + 2
        url_begin = j
        url: list[str] = []
        while j < len(source) and source[j] != ")":
            if source[j] == "\\" and j + 1 < len(source) and 0 < ord(source[j + 1]) <= 126:
                url.append(source[j + 1])
                j += 2
                continue
            url.append(source[j])
            j += 1
        if j >= len(source):
            raise EntityParseError(
                f"Can't find end of a URL at byte offset {_byte_offset(source, url_begin)}"
            )
        target = "".join(url)
        if span.type == "custom_emoji":
            emoji = re.fullmatch(r"tg://emoji\?id=(\d+)", target)
            if not emoji:
                raise EntityParseError("Custom emoji URL must have an emoji identifier")
            span.extra["custom_emoji_id"] = emoji.group(1)
        else:
            user = re.fullmatch(r"tg://user\?id=(\d+)", target)
            if user:
                span.type = "text_mention"
                span.extra["user"] = {"id": int(user.group(1))}
            else:
                span.extra["url"] = target
        return j + 1
    return i + 1


# ---------------------------------------------------------------- legacy Markdown


def parse_markdown(source: str) -> Parsed:
    out: list[str] = []
    spans: list[_Span] = []
    i = 0
    n = len(source)
    kinds = {"*": "bold", "_": "italic", "`": "code", "[": "text_link"}
    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.append(source[i + 1])
            i += 2
            continue
        if ch not in kinds:
            out.append(ch)
            i += 1
            continue
        begin = i
        is_pre = source.startswith("```", i)
        closing = "]" if ch == "[" else ch
        i += 3 if is_pre else 1
        span = _Span("pre" if is_pre else kinds[ch], len(out))
        if is_pre:
            language_end = i
            while language_end < n and source[language_end] not in " \n`":
                language_end += 1
            if language_end != i and language_end < n and source[language_end] == "\n":
                span.extra["language"] = source[i:language_end]
                i = language_end + 1
        while i < n and not (source.startswith("```", i) if is_pre else source[i] == closing):
            out.append(source[i])
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {_byte_offset(source, begin)}"
            )
        span.end = len(out)
        i += 3 if is_pre else 1
        if ch == "[":
            if source.startswith("(", i):
                close = source.find(")", i)
                if close < 0:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(source, i + 1)}"
                    )
                span.extra["url"] = source[i + 1 : close]
                i = close + 1
            else:
                span.extra["url"] = "".join(out[span.start :])
        spans.append(span)
    text, spans = _strip("".join(out), spans)
    return Parsed(text, _to_entities(text, spans))


# ---------------------------------------------------------------- plain text

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"@[A-Za-z0-9_]{5,32}")
_HASHTAG = re.compile(r"#\w+")
_URL = re.compile(r"https?://[^\s<>\"]+|(?:[A-Za-z0-9-]+\.)+(?:com|net|org|vn|io|me)(?:/[^\s]*)?")


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _standalone(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    bad = {"/", "<", ">"}
    return not (
        (before and (_word_char(before) or before in bad))
        or (after and (_word_char(after) or after in bad or after == "@"))
    )


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram finds by itself in any text: commands, mentions, hashtags, links."""
    spans: list[_Span] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in (
        ("bot_command", _COMMAND),
        ("url", _URL),
        ("mention", _MENTION),
        ("hashtag", _HASHTAG),
    ):
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)":
                    end -= 1
            if not _standalone(text, start, end) and kind != "url":
                continue
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            spans.append(_Span(kind, start, end))
    return _to_entities(text, spans)


def parse(text: str, parse_mode: str | None, *, strict_ampersand: bool = True) -> Parsed:
    """Plain text and entities of a message as Telegram would store it.

    Raises EntityParseError with Telegram's detail text, or ValueError("unsupported parse_mode").
    """
    mode = (parse_mode or "").lower()
    if mode == "html":
        parsed = parse_html(text, strict_ampersand=strict_ampersand)
    elif mode == "markdownv2":
        parsed = parse_markdown_v2(text)
    elif mode == "markdown":
        parsed = parse_markdown(text)
    elif mode == "":
        stripped, _ = _strip(text, [])
        parsed = Parsed(stripped, [])
    else:
        raise ValueError("unsupported parse_mode")
    return _with_detected(parsed)


def _with_detected(parsed: Parsed) -> Parsed:
    """Add auto-detected entities that do not overlap code, pre or links set by the sender."""
    blocked = [
        (e["offset"], e["offset"] + e["length"])
        for e in parsed.entities
        if e["type"] in {"code", "pre", "text_link", "text_mention"}
    ]
    extra = []
    for entity in detect_entities(parsed.text):
        start = entity["offset"]
        end = start + entity["length"]
        if not any(start < b_end and b_start < end for b_start, b_end in blocked):
            extra.append(entity)
    entities = parsed.entities + extra
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return Parsed(parsed.text, entities)


def utf16_length(text: str) -> int:
    return _utf16_prefix(text)[-1]
