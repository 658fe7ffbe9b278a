"""Safe renderings of cue text: sanitised HTML for transcripts, and plain text for lint and search.

The HTML renderer can only produce ``span``, ``i``, ``b``, ``u``, ``ruby``, ``rt`` and escaped text,
whatever the input. Attribute values are escaped, and author class names are kept only if they consist of
ASCII letters, digits, ``-`` and ``_``; they are prefixed with ``vtt-`` so a caption file cannot reach the
site's own classes (``govuk-visually-hidden`` would otherwise hide text). A ``<v>`` voice becomes
``<span class="caption-voice" data-speaker="...">``. Rendering is iterative, and tags nested deeper than
:data:`MAX_DEPTH` are flattened to their text, so hostile nesting cannot blow up the page or the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from .cuetext import CueNode, TextNode, TimestampNode, parse_cue_text

MAX_DEPTH = 16
MAX_CLASSES = 8
MAX_CLASS_LENGTH = 40
CLASS_PREFIX = "vtt-"
_CLASS_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_LANG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_TAG_FOR_KIND = {
    "c": "span",
    "i": "i",
    "b": "b",
    "u": "u",
    "ruby": "ruby",
    "rt": "rt",
    "v": "span",
    "lang": "span",
}


def safe_classes(classes: tuple[str, ...]) -> list[str]:
    """Author classes that are safe to emit, prefixed; anything with other characters is dropped."""
    kept = [CLASS_PREFIX + name for name in classes if _is_safe_class(name)]
    return kept[:MAX_CLASSES]


def _is_safe_class(name: str) -> bool:
    return 0 < len(name) <= MAX_CLASS_LENGTH and set(name) <= _CLASS_CHARS


def _open_tag(node: CueNode) -> tuple[str, str]:
    tag = _TAG_FOR_KIND[node.kind]
    classes = safe_classes(node.classes)
    attributes = ""
    if node.kind == "v":
        classes.insert(0, "caption-voice")
        attributes = f' data-speaker="{escape(node.annotation or "", quote=True)}"'
    elif node.kind == "lang" and node.annotation and set(node.annotation) <= _LANG_CHARS:
        attributes = f' lang="{node.annotation}"'
    class_attribute = f' class="{" ".join(classes)}"' if classes else ""
    return f"<{tag}{class_attribute}{attributes}>", f"</{tag}>"


def tree_to_html(root: CueNode, *, keep_line_breaks: bool = False) -> str:
    """Render a parsed cue tree as sanitised HTML.

    Line breaks become spaces unless ``keep_line_breaks`` (then they stay as ``\\n``: show them with CSS
    ``white-space: pre-line``, since ``<br>`` is not among the allowed elements).
    """
    out: list[str] = []
    stack: list[tuple[Iterator[CueNode | TextNode | TimestampNode], str]] = [(iter(root.children), "")]
    while stack:
        children, closing = stack[-1]
        node = next(children, None)
        if node is None:
            stack.pop()
            out.append(closing)
        elif isinstance(node, TextNode):
            value = node.value if keep_line_breaks else node.value.replace("\n", " ")
            out.append(escape(value, quote=True))
        elif isinstance(node, CueNode):
            opening, closing_tag = _open_tag(node) if len(stack) <= MAX_DEPTH else ("", "")
            out.append(opening)
            stack.append((iter(node.children), closing_tag))
        # Timestamp nodes render as nothing.
    return "".join(out)


def tree_to_plain_text(root: CueNode) -> str:
    """The text a viewer reads, markup removed and references decoded; ruby text (``rt``) is left out."""
    out: list[str] = []
    stack: list[Iterator[CueNode | TextNode | TimestampNode]] = [iter(root.children)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif isinstance(node, TextNode):
            out.append(node.value)
        elif isinstance(node, CueNode) and node.kind != "rt":
            stack.append(iter(node.children))
    return "".join(out)


def cue_text_to_html(text: str, *, keep_line_breaks: bool = False) -> str:
    """Raw WebVTT cue text -> sanitised HTML (see :func:`tree_to_html`). Safe to mark safe in a template."""
    return tree_to_html(parse_cue_text(text), keep_line_breaks=keep_line_breaks)


def cue_text_to_plain(text: str) -> str:
    """Raw WebVTT cue text -> plain text (see :func:`tree_to_plain_text`)."""
    return tree_to_plain_text(parse_cue_text(text))


def cue_speaker(root: CueNode) -> str | None:
    """The first voice (``<v Name>``) in the cue, or ``None`` if it has none or the name is empty."""
    for node in root.walk():
        if isinstance(node, CueNode) and node.kind == "v":
            return node.annotation or None
    return None
