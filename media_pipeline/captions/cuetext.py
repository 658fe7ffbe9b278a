"""Cue text parsing: the spec's "WebVTT cue text tokenizer" and "WebVTT cue text parsing rules".

https://www.w3.org/TR/webvtt1/#cue-text-parsing-rules — the result is a tree of :class:`CueNode`
(class ``c``, ``i``, ``b``, ``u``, ``ruby``, ``rt``, voice ``v``, ``lang``), :class:`TextNode` and
:class:`TimestampNode`. Unknown tags are dropped, exactly as a browser drops them. The tokenizer walks the
text once with bounded look-ahead (no regular expressions), so any input, however hostile, parses in
time linear in its length; the tree is built without recursion, so deep nesting cannot exhaust the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from .charrefs import consume_character_reference
from .settings import split_on_spaces
from .timestamps import collect_timestamp

NodeKind = Literal["root", "c", "i", "b", "u", "ruby", "rt", "v", "lang"]


@dataclass(frozen=True)
class TextNode:
    """A run of text, character references already decoded."""

    value: str


@dataclass(frozen=True)
class TimestampNode:
    """An inline ``<00:00:01.000>`` timestamp (karaoke-style progress); carries no text."""

    seconds: float


@dataclass(eq=False)
class CueNode:
    """An internal node. ``annotation`` is the voice name for ``v`` and the language tag for ``lang``;
    ``language`` is the applicable language (the innermost enclosing ``lang``), if any.
    """

    kind: NodeKind
    classes: tuple[str, ...] = ()
    annotation: str | None = None
    language: str | None = None
    children: list[CueNode | TextNode | TimestampNode] = field(default_factory=list)

    def walk(self) -> Iterator[CueNode | TextNode | TimestampNode]:
        """Every descendant in document order, iteratively (trees from hostile input can be very deep)."""
        stack: list[Iterator[CueNode | TextNode | TimestampNode]] = [iter(self.children)]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                continue
            yield node
            if isinstance(node, CueNode):
                stack.append(iter(node.children))


# Token shapes: ("text", value) | ("start", name, classes, annotation) | ("end", name) | ("timestamp", value)
Token = tuple

_TAG_NAME_STOP = frozenset("\t\n\x0c .>")
_SPACE_TAB_FF = frozenset("\t\x0c ")
_DIGITS = frozenset("0123456789")


def _collapse_whitespace(text: str) -> str:
    """Strip ASCII whitespace and collapse runs of it to one space (the annotation's end-of-tag rule)."""
    return " ".join(split_on_spaces(text))


def _read_text(text: str, pos: int) -> tuple[Token, int]:
    """The "WebVTT data state" with its character references, up to the next ``<`` or the end."""
    end = len(text)
    stop = text.find("<", pos)
    if stop < 0:
        stop = end
    pieces: list[str] = []
    while pos < stop:
        amp = text.find("&", pos, stop)
        if amp < 0:
            pieces.append(text[pos:stop])
            break
        pieces.append(text[pos:amp])
        following = text[amp + 1 : amp + 2]
        if following != "#" and not (following.isascii() and following.isalnum()):
            pieces.append("&")  # cannot start a reference (quick path for long runs of "&")
            pos = amp + 1
            continue
        # A reference never runs past "<" (neither names nor digits include it), so ``stop`` stays valid.
        value, pos = consume_character_reference(text, amp + 1)
        pieces.append("&" if value is None else value)
    return ("text", "".join(pieces)), stop


def _scan_until(text: str, pos: int, stops: frozenset[str]) -> int:
    end = len(text)
    while pos < end and text[pos] not in stops:
        pos += 1
    return pos


def _read_annotation(text: str, pos: int, name: str, classes: list[str], buffer: str) -> tuple[Token, int]:
    """The "WebVTT start tag annotation state"; references decoded (``>`` is the allowed extra)."""
    end = len(text)
    pieces = [buffer]
    while pos < end:
        char = text[pos]
        if char == ">":
            pos += 1
            break
        if char == "&":
            value, pos = consume_character_reference(text, pos + 1, ">")
            pieces.append("&" if value is None else value)
            continue
        stop = pos
        while stop < end and text[stop] not in "&>":
            stop += 1
        pieces.append(text[pos:stop])
        pos = stop
    return ("start", name, tuple(classes), _collapse_whitespace("".join(pieces))), pos


def _read_classes(text: str, pos: int, name: str) -> tuple[Token, int]:
    """The "WebVTT start tag class state"; ``pos`` is just after a ``.``."""
    end = len(text)
    classes: list[str] = []
    while True:
        stop = _scan_until(text, pos, _TAG_NAME_STOP)
        classes.append(text[pos:stop])
        if stop >= end:
            return ("start", name, tuple(classes), None), stop
        char = text[stop]
        if char == ">":
            return ("start", name, tuple(classes), None), stop + 1
        if char == ".":
            pos = stop + 1
            continue
        # Space, tab, FF: annotation follows. LF: the spec puts the LF itself into the annotation buffer.
        return _read_annotation(text, stop + 1, name, classes, "\n" if char == "\n" else "")


def _read_tag(text: str, pos: int) -> tuple[Token, int]:
    """The "WebVTT tag state"; ``pos`` is just after ``<``."""
    end = len(text)
    if pos >= end:
        return ("start", "", (), None), pos
    char = text[pos]
    if char in _SPACE_TAB_FF or char == "\n":
        return _read_annotation(text, pos + 1, "", [], "")
    if char == ".":
        return _read_classes(text, pos + 1, "")
    if char == "/":
        # "WebVTT end tag state": everything up to ">" is the tag name.
        stop = text.find(">", pos + 1)
        if stop < 0:
            return ("end", text[pos + 1 :]), end
        return ("end", text[pos + 1 : stop]), stop + 1
    if char in _DIGITS:
        # "WebVTT timestamp tag state": everything up to ">" is the tag value.
        stop = text.find(">", pos)
        if stop < 0:
            return ("timestamp", text[pos:]), end
        return ("timestamp", text[pos:stop]), stop + 1
    if char == ">":
        return ("start", "", (), None), pos + 1
    # "WebVTT start tag state"
    stop = _scan_until(text, pos + 1, _TAG_NAME_STOP)
    name = text[pos:stop]
    if stop >= end:
        return ("start", name, (), None), stop
    char = text[stop]
    if char == ">":
        return ("start", name, (), None), stop + 1
    if char == ".":
        return _read_classes(text, stop + 1, name)
    return _read_annotation(text, stop + 1, name, [], "\n" if char == "\n" else "")


def tokenize(text: str) -> Iterator[Token]:
    """The "WebVTT cue text tokenizer", run until the input is used up."""
    pos = 0
    end = len(text)
    while pos < end:
        if text[pos] == "<":
            token, pos = _read_tag(text, pos + 1)
        else:
            token, pos = _read_text(text, pos)
        yield token


_SIMPLE_KINDS: frozenset[str] = frozenset({"c", "i", "b", "u", "ruby"})
_CLOSABLE_KINDS: frozenset[str] = frozenset({"c", "i", "b", "u", "ruby", "rt", "v"})


def parse_cue_text(text: str, language: str | None = None) -> CueNode:
    """Build the node tree for cue text ("WebVTT cue text parsing rules"). Returns the root node."""
    root = CueNode("root", language=language)
    if "<" not in text and "&" not in text:
        # Most cues are plain text: one text node, exactly what the tokenizer would produce.
        if text:
            root.children.append(TextNode(text))
        return root
    open_nodes: list[CueNode] = [root]
    language_stack: list[str] = [language] if language is not None else []

    def attach(kind: NodeKind, classes: tuple[str, ...], annotation: str | None = None) -> None:
        # "Attach a WebVTT Internal Node Object": classes minus empty ones, language from the stack.
        node = CueNode(
            kind,
            classes=tuple(name for name in classes if name),
            annotation=annotation,
            language=language_stack[-1] if language_stack else None,
        )
        open_nodes[-1].children.append(node)
        open_nodes.append(node)

    for token in tokenize(text):
        current = open_nodes[-1]
        kind = token[0]
        if kind == "text":
            current.children.append(TextNode(token[1]))
        elif kind == "start":
            _, name, classes, annotation = token
            if name in _SIMPLE_KINDS:
                attach(name, classes)
            elif name == "rt":
                if current.kind == "ruby":
                    attach("rt", classes)
            elif name == "v":
                attach("v", classes, annotation or "")
            elif name == "lang":
                language_stack.append(annotation or "")
                attach("lang", classes, annotation or "")
            # Any other start tag is ignored.
        elif kind == "end":
            name = token[1]
            if name in _CLOSABLE_KINDS and current.kind == name:
                open_nodes.pop()
            elif name == "lang" and current.kind == "lang":
                open_nodes.pop()
                language_stack.pop()
            elif name == "ruby" and current.kind == "rt":
                del open_nodes[-2:]
        else:
            collected = collect_timestamp(token[1], 0)
            # Only a timestamp with no trailing characters counts.
            if collected is not None and collected[1] == len(token[1]):
                current.children.append(TimestampNode(collected[0]))
    return root
