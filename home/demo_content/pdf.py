"""A small writer of tagged, text-only PDF files: headings, paragraphs and bulleted lists.

``seed_demo`` uses it to make the demo webinar's slides and handout as real documents that a screen reader can
read: the words are text (not pictures), the structure is tagged (H1, H2, P, and L/LI/LBody for lists), the
document's language and title are set, and decoration (the coloured band, the footer, bullets) is marked as an
artifact. Fonts are the standard Helvetica pair with WinAnsi encoding, so the text must be in Windows-1252.

Source text (``documents/*.txt``): ``# `` a heading, ``## `` a subheading, ``- `` a list item, ``---`` a new
page, any other line a paragraph. Output is deterministic (no dates, no random ids). No Django import.
"""

from __future__ import annotations

import hashlib
import textwrap
from dataclasses import dataclass

A4 = (595.0, 842.0)
SLIDE = (960.0, 540.0)
_BLUE = "0.114 0.439 0.722"  # GOV.UK blue, #1d70b8
_AVERAGE_WIDTH = {"F1": 0.53, "F2": 0.58}  # Helvetica's mean glyph width per point size, with some room


@dataclass(frozen=True)
class Block:
    kind: str  # "H1", "H2", "P" or "LI"
    text: str


@dataclass(frozen=True)
class _Style:
    font: str
    size: float
    space_before: float


def blocks_parse(source: str) -> list[list[Block]]:
    """The source text as pages of blocks (a page break is a line of three dashes)."""
    pages: list[list[Block]] = [[]]
    prefixes = (("## ", "H2"), ("# ", "H1"), ("- ", "LI"))
    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == "---":
            pages.append([])
            continue
        kind, text = next(((kind, line[len(p) :]) for p, kind in prefixes if line.startswith(p)), ("P", line))
        pages[-1].append(Block(kind, text.strip()))
    return [page for page in pages if page]


def _styles(page_size: tuple[float, float]) -> dict[str, _Style]:
    scale = 1.6 if page_size == SLIDE else 1.0
    return {
        "H1": _Style("F2", 22 * scale, 0),
        "H2": _Style("F2", 15 * scale, 10 * scale),
        "P": _Style("F1", 11 * scale, 6 * scale),
        "LI": _Style("F1", 11 * scale, 4 * scale),
    }


def _literal(text: str) -> bytes:
    """A PDF literal string in WinAnsi (Windows-1252) encoding."""
    data = text.encode("cp1252")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _text_string(text: str) -> bytes:
    """A PDF text string (document information), as UTF-16BE with a byte order mark."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


@dataclass
class _PlacedBlock:
    block: Block
    mcid: int
    page: int


def pdf_document(
    *,
    pages: list[list[Block]],
    title: str,
    author: str,
    subject: str = "",
    language: str = "en-GB",
    page_size: tuple[float, float] = A4,
    footer: str = "",
) -> bytes:
    """A tagged PDF of ``pages``. A page that does not fit flows on to a new page; a block never splits."""
    if not pages:
        raise ValueError("a document needs at least one page")
    width, height = page_size
    margin = 56.0 if page_size == A4 else 64.0
    styles = _styles(page_size)
    streams: list[list[bytes]] = []
    placed: list[_PlacedBlock] = []
    band = 18.0 if page_size == A4 else 28.0

    def new_page() -> list[bytes]:
        ops = [f"/Artifact BMC q {_BLUE} rg 0 {height - band:.2f} {width:.2f} {band:.2f} re f Q EMC".encode()]
        if footer:
            ops.append(
                b"/Artifact <</Type /Pagination>> BDC q 0.3 g BT /F1 9 Tf "
                + f"{margin:.2f} {margin / 2:.2f} Td ".encode()
                + _literal(f"{footer} | page {len(streams) + 1}")
                + b" Tj ET Q EMC"
            )
        streams.append(ops)
        return ops

    top = height - band - margin
    for source_page in pages:
        ops = new_page()
        y = top
        for block in source_page:
            style = styles[block.kind]
            indent = style.size * 1.4 if block.kind == "LI" else 0.0
            columns = int((width - 2 * margin - indent) / (style.size * _AVERAGE_WIDTH[style.font]))
            lines = textwrap.wrap(block.text, width=max(10, columns)) or [""]
            leading = style.size * 1.3
            needed = (style.space_before if y < top else 0) + style.size + leading * (len(lines) - 1)
            if y - needed < margin:
                if y == top:
                    raise ValueError(f"block too long for one page: {block.text[:40]!r}")
                ops = new_page()
                y = top
            if y < top:
                y -= style.space_before
            y -= style.size  # the first line's baseline
            mcid = sum(1 for p in placed if p.page == len(streams) - 1)
            placed.append(_PlacedBlock(block, mcid, len(streams) - 1))
            if block.kind == "LI":
                ops.append(
                    f"/Artifact BMC BT /F1 {style.size:.1f} Tf {margin:.2f} {y:.2f} Td ".encode()
                    + _literal("\u2022")
                    + b" Tj ET EMC"
                )
            tag = "LBody" if block.kind == "LI" else block.kind
            text = [f"/{tag} <</MCID {mcid}>> BDC BT /{style.font} {style.size:.1f} Tf {leading:.2f} TL".encode()]
            text.append(f"{margin + indent:.2f} {y:.2f} Td".encode())
            for number, line in enumerate(lines):
                text.append(_literal(line) + (b" Tj" if number == 0 else b" '"))
            text.append(b"ET EMC")
            ops.append(b" ".join(text))
            y -= leading * (len(lines) - 1) + (leading - style.size)
    return _assemble(
        streams, placed, title=title, author=author, subject=subject, language=language, page_size=page_size
    )


def _assemble(streams, placed, *, title, author, subject, language, page_size) -> bytes:
    """Number the objects, build the structure tree and write the file with its cross-reference table."""
    objects: dict[int, bytes] = {}
    catalog, pages_ref, struct_root, info, regular, bold, document = range(1, 8)
    next_number = 8
    page_refs, content_refs = [], []
    for _ in streams:
        page_refs.append(next_number)
        content_refs.append(next_number + 1)
        next_number += 2

    def new_object() -> int:
        nonlocal next_number
        next_number += 1
        return next_number - 1

    document_kids: list[int] = []
    parent_tree: dict[int, list[int]] = {index: [] for index in range(len(streams))}
    current_list: tuple[int, int] | None = None  # (L object, page)
    list_items: dict[int, list[int]] = {}
    for item in placed:
        page_ref = page_refs[item.page]
        if item.block.kind == "LI":
            if current_list is None or current_list[1] != item.page:
                current_list = (new_object(), item.page)
                document_kids.append(current_list[0])
                list_items[current_list[0]] = []
            li, body = new_object(), new_object()
            list_items[current_list[0]].append(li)
            objects[li] = f"<</Type /StructElem /S /LI /P {current_list[0]} 0 R /K [{body} 0 R]>>".encode()
            objects[body] = f"<</Type /StructElem /S /LBody /P {li} 0 R /Pg {page_ref} 0 R /K {item.mcid}>>".encode()
            parent_tree[item.page].append(body)
            continue
        current_list = None
        element = new_object()
        document_kids.append(element)
        objects[element] = (
            f"<</Type /StructElem /S /{item.block.kind} /P {document} 0 R /Pg {page_ref} 0 R /K {item.mcid}>>".encode()
        )
        parent_tree[item.page].append(element)
    for list_ref, items in list_items.items():
        kids = " ".join(f"{ref} 0 R" for ref in items)
        objects[list_ref] = f"<</Type /StructElem /S /L /P {document} 0 R /K [{kids}]>>".encode()

    width, height = page_size
    fonts = f"<</Font <</F1 {regular} 0 R /F2 {bold} 0 R>>>>"
    for index, ops in enumerate(streams):
        content = b"\n".join(ops)
        objects[content_refs[index]] = f"<</Length {len(content)}>>\nstream\n".encode() + content + b"\nendstream"
        objects[page_refs[index]] = (
            f"<</Type /Page /Parent {pages_ref} 0 R /MediaBox [0 0 {width:g} {height:g}] /Resources {fonts} "
            f"/Contents {content_refs[index]} 0 R /StructParents {index} /Tabs /S>>"
        ).encode()
    kids = " ".join(f"{ref} 0 R" for ref in page_refs)
    objects[pages_ref] = f"<</Type /Pages /Kids [{kids}] /Count {len(page_refs)}>>".encode()
    objects[catalog] = (
        f"<</Type /Catalog /Pages {pages_ref} 0 R /StructTreeRoot {struct_root} 0 R /MarkInfo <</Marked true>> "
        f"/ViewerPreferences <</DisplayDocTitle true>> /Lang ".encode()
        + _literal(language)
        + b">>"
    )
    nums = " ".join(f"{page} [{' '.join(f'{ref} 0 R' for ref in refs)}]" for page, refs in parent_tree.items())
    objects[struct_root] = (
        f"<</Type /StructTreeRoot /K [{document} 0 R] /ParentTree <</Nums [{nums}]>> "
        f"/ParentTreeNextKey {len(streams)}>>"
    ).encode()
    kids = " ".join(f"{ref} 0 R" for ref in document_kids)
    objects[document] = f"<</Type /StructElem /S /Document /P {struct_root} 0 R /K [{kids}]>>".encode()
    for ref, name in ((regular, "Helvetica"), (bold, "Helvetica-Bold")):
        objects[ref] = f"<</Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding>>".encode()
    objects[info] = (
        b"<</Title "
        + _text_string(title)
        + b" /Author "
        + _text_string(author)
        + b" /Subject "
        + _text_string(subject)
        + b" /Producer "
        + _text_string("JCP Learning seed_demo")
        + b">>"
    )

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in range(1, next_number):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {next_number}\n0000000000 65535 f \n".encode()
    for number in range(1, next_number):
        out += f"{offsets[number]:010d} 00000 n \n".encode()
    file_id = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().upper()
    out += (
        f"trailer\n<</Size {next_number} /Root {catalog} 0 R /Info {info} 0 R /ID [<{file_id}> <{file_id}>]>>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)
