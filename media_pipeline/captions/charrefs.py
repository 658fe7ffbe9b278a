"""HTML character references inside WebVTT cue text ("consume an HTML character reference").

WebVTT borrows HTML's algorithm: named references from the HTML table (``html.entities.html5``), the
legacy names that work without a semicolon (``&amp``, ``&copy``), longest match first, and numeric
references with HTML's replacements for C1 controls, NUL, surrogates and out-of-range values.
Each call looks at a bounded number of characters, so cue text parsing stays linear.
"""

from __future__ import annotations

from html.entities import html5

_WITH_SEMICOLON: dict[str, str] = {name[:-1]: value for name, value in html5.items() if name.endswith(";")}
_LEGACY: dict[str, str] = {name: value for name, value in html5.items() if not name.endswith(";")}
_LONGEST_NAME = max(len(name) for name in _WITH_SEMICOLON)
_LONGEST_LEGACY = max(len(name) for name in _LEGACY)

# HTML's "numeric character reference end state" table: references to C1 controls mean Windows-1252.
_NUMERIC_REPLACEMENTS: dict[int, str] = {
    0x00: "\ufffd",
    0x80: "\u20ac",
    0x82: "\u201a",
    0x83: "\u0192",
    0x84: "\u201e",
    0x85: "\u2026",
    0x86: "\u2020",
    0x87: "\u2021",
    0x88: "\u02c6",
    0x89: "\u2030",
    0x8A: "\u0160",
    0x8B: "\u2039",
    0x8C: "\u0152",
    0x8E: "\u017d",
    0x91: "\u2018",
    0x92: "\u2019",
    0x93: "\u201c",
    0x94: "\u201d",
    0x95: "\u2022",
    0x96: "\u2013",
    0x97: "\u2014",
    0x98: "\u02dc",
    0x99: "\u2122",
    0x9A: "\u0161",
    0x9B: "\u203a",
    0x9C: "\u0153",
    0x9E: "\u017e",
    0x9F: "\u0178",
}
_DECIMAL = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_NOT_A_REFERENCE = frozenset("\t\n\x0c <&")
_TOO_BIG = 0x110000


def _numeric(value: int) -> str:
    if value in _NUMERIC_REPLACEMENTS:
        return _NUMERIC_REPLACEMENTS[value]
    if value >= _TOO_BIG or 0xD800 <= value <= 0xDFFF:
        return "\ufffd"
    return chr(value)


def consume_character_reference(text: str, pos: int, additional_allowed: str = "") -> tuple[str | None, int]:
    """Try to read a character reference whose ``&`` is just before ``pos``.

    Returns ``(characters, position after the reference)``, or ``(None, pos)`` when "nothing is
    returned" (the caller then keeps the ``&`` as text and carries on from ``pos``).
    """
    end = len(text)
    if pos >= end:
        return None, pos
    char = text[pos]
    if char in _NOT_A_REFERENCE or char == additional_allowed:
        return None, pos
    if char == "#":
        cursor = pos + 1
        digits, base = _DECIMAL, 10
        if cursor < end and text[cursor] in "xX":
            digits, base = _HEX, 16
            cursor += 1
        start = cursor
        value = 0
        while cursor < end and text[cursor] in digits:
            # Clamp instead of growing a huge integer: anything past U+10FFFF becomes U+FFFD anyway.
            value = min(value * base + int(text[cursor], 16), _TOO_BIG)
            cursor += 1
        if cursor == start:
            return None, pos  # "unconsume" the "#" (and "x"): no digits, no reference
        if cursor < end and text[cursor] == ";":
            cursor += 1
        return _numeric(value), cursor
    # Named reference: "consume the maximum number of characters possible" matching a table entry.
    cursor = pos
    limit = min(end, pos + _LONGEST_NAME)
    while cursor < limit and text[cursor].isascii() and text[cursor].isalnum():
        cursor += 1
    name = text[pos:cursor]
    if cursor < end and text[cursor] == ";" and name in _WITH_SEMICOLON:
        return _WITH_SEMICOLON[name], cursor + 1
    for length in range(min(len(name), _LONGEST_LEGACY), 0, -1):
        legacy = _LEGACY.get(name[:length])
        if legacy is not None:
            return legacy, pos + length
    return None, pos
