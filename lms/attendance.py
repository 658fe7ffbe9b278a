"""Reading a Microsoft Teams attendance report: who attended a meeting, by email address.

Pure Python with no Django import. ``parse_attendance_report(data)`` takes the downloaded file's bytes and returns
an ``AttendanceReport``, or raises ``AttendanceFileInvalid`` whose message tells a manager what to do.

What Teams gives people, and what this accepts:

* **Current reports** (2022 on): UTF-16 LE with a byte-order mark, tab-separated, in sections – ``1. Summary``
  (``Meeting title``, ``Start time``, … as label/value rows), ``2. Participants`` (one row per person: ``Name``,
  ``First Join``, ``Last Leave``, ``In-Meeting Duration``, ``Email``, ``Participant ID (UPN)``, ``Role``) and
  ``3. In-Meeting Activities`` (one row per join). Only the participants table is read.
* **Older reports** (2020–2022): one table (``Full Name``, ``User Action``, ``Timestamp`` – a row per join or
  leave – or ``Full Name``, ``Join Time``, ``Leave Time``, ``Duration``, ``Email``, ``Role``, ``Participant ID
  (UPN)``), sometimes under a ``Meeting Summary`` block. A person's rows are folded into one attendee.
* The same opened and saved again by Excel: UTF-8 (with or without a BOM) or Windows-1252, comma- or
  semicolon-separated, with quoted cells.

The encoding is sniffed (BOM, else the pattern of zero bytes that UTF-16 leaves, else UTF-8, else Windows-1252),
then the delimiter and the header row are found together: the first row, after a ``Participants`` heading if
there is one, whose cells include a name column and an email, UPN, join-time or action column. Column names are
matched case-insensitively. The table ends at the first blank row or the next numbered section heading.
"""

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Final

#: The largest file accepted. A 1,000-person Teams report is about 300 KB in UTF-16; 2 MB leaves room for the
#: biggest webinars while keeping a wrong file (a video, a workbook) cheap to refuse.
MAX_REPORT_BYTES: Final = 2 * 1024 * 1024

#: The most people one report may list (Teams meetings and webinars allow 1,000 interactive attendees).
MAX_ATTENDEES: Final = 5000

_NAME_COLUMNS = ("name", "full name", "participant name", "display name", "attendee name", "participant")
_EMAIL_COLUMNS = ("email", "email address", "e-mail", "e-mail address", "user email", "mail")
_UPN_COLUMNS = ("participant id (upn)", "upn", "user principal name", "participant id")
_JOIN_COLUMNS = ("first join", "first join time", "join time", "joined", "timestamp")
_LEAVE_COLUMNS = ("last leave", "last leave time", "leave time", "left")
_DURATION_COLUMNS = ("in-meeting duration", "in meeting duration", "duration", "attendance duration")
_ROLE_COLUMNS = ("role",)
_ACTION_COLUMNS = ("user action", "action")

_SUMMARY_TITLE = ("meeting title", "title")
_SUMMARY_START = ("start time", "meeting start time")

_SECTION_HEADING = re.compile(r"^\s*\d+\.\s+\S")
_PARTICIPANTS_HEADING = re.compile(r"^\s*\d+\.\s+participants\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)\b", re.IGNORECASE)
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
_DELIMITERS = ("\t", ",", ";")


class AttendanceFileInvalid(ValueError):
    """A file that cannot be read as an attendance report; ``message`` says what to do instead."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Attendee:
    """One person in the report. ``email`` and ``upn`` are trimmed and lower-cased ("" when the report has none);
    times are as the report writes them (their format follows the organiser's Teams language settings)."""

    name: str
    email: str = ""
    upn: str = ""
    role: str = ""
    first_join: str = ""
    last_leave: str = ""
    seconds: int | None = None
    line: int = 0

    @property
    def addresses(self) -> tuple[str, ...]:
        """The email addresses to look this person up by: the email column, then the UPN, if they look like one."""
        found: list[str] = []
        for value in (self.email, self.upn):
            if value and _EMAIL.match(value) and value not in found:
                found.append(value)
        return tuple(found)

    @property
    def duration_label(self) -> str:
        """The time in the meeting in words (``1 hour 5 minutes``), or "" when the report does not say."""
        if self.seconds is None:
            return ""
        hours, rest = divmod(self.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        parts = [(hours, "hour"), (minutes, "minute")] if self.seconds >= 60 else [(seconds, "second")]
        words = [f"{count} {unit}{'' if count == 1 else 's'}" for count, unit in parts if count]
        return " ".join(words) or "0 seconds"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "email": self.email,
            "upn": self.upn,
            "role": self.role,
            "first_join": self.first_join,
            "last_leave": self.last_leave,
            "seconds": self.seconds,
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Attendee":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})


@dataclass(frozen=True)
class AttendanceReport:
    """What the report says: its layout (``sections`` or ``single table``), the meeting's title and start time as
    written (empty when the file has no summary) and one ``Attendee`` per person, in the report's order."""

    layout: str
    encoding: str
    delimiter: str
    meeting_title: str = ""
    meeting_start: str = ""
    attendees: tuple[Attendee, ...] = field(default=())


def parse_attendance_report(
    data: bytes, *, max_bytes: int = MAX_REPORT_BYTES, max_attendees: int = MAX_ATTENDEES
) -> AttendanceReport:
    """Read a Teams attendance report from the bytes of the downloaded file (see the module docstring).

    Raises ``AttendanceFileInvalid`` when the file is empty, too big, not text (a workbook, a PDF, an image), has
    no participants table, has a participants table without an email or UPN column, lists nobody, or lists more
    than ``max_attendees`` people. People listed more than once (older reports have a row per join and leave) are
    folded into one attendee: the first join, the last leave and, where given, the total time.
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"parse_attendance_report() takes the file's bytes, not {type(data).__name__}")
    if not data.strip():
        raise AttendanceFileInvalid("The file is empty. Download the attendance report from Teams again.")
    if len(data) > max_bytes:
        raise AttendanceFileInvalid(
            f"The file is {_size(len(data))}; an attendance report can be at most {_size(max_bytes)}. "
            "Check you chose the attendance report (a .csv file) and not a recording or a presentation."
        )
    _refuse_known_binary(bytes(data))
    text, encoding = decode_report(bytes(data))
    if not text.strip(" \t\r\n\ufeff"):
        raise AttendanceFileInvalid("The file is empty. Download the attendance report from Teams again.")
    _refuse_binary_text(text)

    best = None
    for delimiter in _DELIMITERS:
        rows = list(_rows(text, delimiter))
        found = _find_header(rows)
        if found is not None and (best is None or found[1].score > best[2].score):
            best = (delimiter, rows, found[1], found[0])
    if best is None:
        raise AttendanceFileInvalid(
            "We could not find the list of participants in this file. In Teams, open the meeting's Attendance tab "
            "and choose Download, then upload that .csv file without changing it."
        )
    delimiter, rows, columns, header_index = best
    if columns.email is None and columns.upn is None:
        raise AttendanceFileInvalid(
            "The list of participants has no Email column, so we cannot tell who attended. Download the report "
            "again from the meeting's Attendance tab in Teams: current reports include each person's email address."
        )

    summary = _summary(rows[:header_index])
    sectioned = any(_PARTICIPANTS_HEADING.match(row[0]) for row, _ in rows[:header_index] if row)
    attendees = _attendees(rows[header_index + 1 :], columns, max_attendees=max_attendees)
    if not attendees:
        raise AttendanceFileInvalid(
            "The list of participants in this file is empty. Check it is the report for the right meeting."
        )
    return AttendanceReport(
        layout="sections" if sectioned else "single table",
        encoding=encoding,
        delimiter={"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter],
        meeting_title=summary.get("title", ""),
        meeting_start=summary.get("start", ""),
        attendees=tuple(attendees),
    )


def decode_report(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding name)``. BOMs decide; without one, zero bytes at every other position mean UTF-16
    (little- or big-endian by where they fall); otherwise UTF-8, falling back to Windows-1252 (Excel's CSV)."""
    try:
        if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
            return data.decode("utf-16"), "UTF-16"
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
        sample = data[:4096]
        zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
        if zeros_odd > len(sample) // 4 and zeros_even < zeros_odd // 8:
            return data.decode("utf-16-le"), "UTF-16"
        if zeros_even > len(sample) // 4 and zeros_odd < zeros_even // 8:
            return data.decode("utf-16-be"), "UTF-16"
    except UnicodeDecodeError:
        raise AttendanceFileInvalid(
            "The file looks like a Teams report but part of it is damaged, so it cannot be read. "
            "Download the attendance report from Teams again."
        ) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def parse_duration(text: str) -> int | None:
    """Seconds in a Teams duration: ``1h 2m 3s``, ``45m``, ``30s``, ``1 hr 5 min``, ``01:02:03`` or ``2:03``.
    ``None`` when the text is empty or not a duration."""
    text = (text or "").strip()
    if not text:
        return None
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        return None
    total = 0.0
    for number, unit in parts:
        unit = unit.lower()
        total += float(number) * (3600 if unit.startswith("h") else 60 if unit.startswith("m") else 1)
    return round(total)


# -- reading rows -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    name: int
    email: int | None
    upn: int | None
    join: int | None
    leave: int | None
    duration: int | None
    role: int | None
    action: int | None

    @property
    def score(self) -> int:
        return sum(index is not None for index in (self.email, self.upn, self.join, self.leave, self.duration))


def _rows(text: str, delimiter: str):
    """``(cells, line number)`` for each row, cells stripped of spaces and invisible characters."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            yield [_clean(cell) for cell in row], reader.line_num
    except csv.Error:
        return  # an unterminated quote: what was read so far is all this delimiter can give


def _clean(cell: str) -> str:
    cell = cell.replace("\ufeff", "").replace("\u200b", "").replace("\xa0", " ")
    return "".join(ch for ch in cell if unicodedata.category(ch) != "Cc" or ch in "\t").strip()


def _key(cell: str) -> str:
    return " ".join(cell.lower().split())


def _find_header(rows: list[tuple[list[str], int]]) -> tuple[int, _Columns] | None:
    start = 0
    for index, (cells, _) in enumerate(rows):
        if cells and _PARTICIPANTS_HEADING.match(cells[0]):
            start = index + 1
            break
    for index in range(start, len(rows)):
        columns = _columns(rows[index][0])
        if columns is not None:
            return index, columns
    return None


def _columns(cells: list[str]) -> _Columns | None:
    keys = [_key(cell) for cell in cells]
    if len([key for key in keys if key]) < 2:
        return None

    def find(names: tuple[str, ...]) -> int | None:
        for name in names:
            if name in keys:
                return keys.index(name)
        return None

    name = find(_NAME_COLUMNS)
    if name is None:
        return None
    columns = _Columns(
        name=name,
        email=find(_EMAIL_COLUMNS),
        upn=find(_UPN_COLUMNS),
        join=find(_JOIN_COLUMNS),
        leave=find(_LEAVE_COLUMNS),
        duration=find(_DURATION_COLUMNS),
        role=find(_ROLE_COLUMNS),
        action=find(_ACTION_COLUMNS),
    )
    if columns.score == 0 and columns.action is None:
        return None
    return columns


def _summary(rows: list[tuple[list[str], int]]) -> dict[str, str]:
    summary: dict[str, str] = {}
    for cells, _ in rows:
        values = [cell for cell in cells if cell]
        if len(values) < 2:
            continue
        label = _key(values[0])
        if label in _SUMMARY_TITLE and "title" not in summary:
            summary["title"] = values[1][:200]
        elif label in _SUMMARY_START and "start" not in summary:
            summary["start"] = values[1][:100]
    return summary


def _attendees(rows: list[tuple[list[str], int]], columns: _Columns, *, max_attendees: int) -> list[Attendee]:
    people: dict[str, Attendee] = {}
    for cells, line in rows:
        if not any(cells):
            break  # the end of the table
        if len([cell for cell in cells if cell]) == 1 and _SECTION_HEADING.match(cells[0]):
            break  # the next section

        def cell(index: int | None, cells=cells) -> str:
            return cells[index] if index is not None and index < len(cells) else ""

        name = cell(columns.name)[:200]
        email = cell(columns.email).lower()[:254]
        upn = cell(columns.upn).lower()[:254]
        if not (name or email or upn):
            continue
        action = _key(cell(columns.action))
        moment = cell(columns.join)
        attendee = Attendee(
            name=name,
            email=email,
            upn=upn,
            role=cell(columns.role)[:60],
            first_join=moment if not action.startswith("left") else "",
            last_leave=cell(columns.leave) or (moment if action.startswith("left") else ""),
            seconds=parse_duration(cell(columns.duration)),
            line=line,
        )
        key = email or upn or f"name:{_key(name)}"
        earlier = people.get(key)
        if earlier is None:
            if len(people) >= max_attendees:
                raise AttendanceFileInvalid(
                    f"The report lists more than {max_attendees:,} people. Split the meeting into smaller reports, "
                    "or ask the JCP Learning team to record this attendance for you."
                )
            people[key] = attendee
        else:
            people[key] = _fold(earlier, attendee)
    return list(people.values())


def _fold(first: Attendee, later: Attendee) -> Attendee:
    seconds = first.seconds
    if later.seconds is not None:
        seconds = (seconds or 0) + later.seconds
    return Attendee(
        name=first.name or later.name,
        email=first.email or later.email,
        upn=first.upn or later.upn,
        role=first.role or later.role,
        first_join=first.first_join or later.first_join,
        last_leave=later.last_leave or first.last_leave,
        seconds=seconds,
        line=first.line,
    )


# -- refusing files that are not text -------------------------------------------------------------------------

_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook or another zipped file"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel or Word file"),
    (b"%PDF", "a PDF"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"GIF8", "an image"),
)


def _refuse_known_binary(data: bytes) -> None:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise AttendanceFileInvalid(
                f"This file is {what}, not a CSV file. Upload the attendance report exactly as Teams downloads it "
                "(a .csv file); if you opened it in Excel, save it with “Save as” and choose CSV."
            )


def _refuse_binary_text(text: str) -> None:
    sample = text[:8192]
    if not sample:
        return
    controls = sum(1 for ch in sample if ch == "\x00" or (unicodedata.category(ch) == "Cc" and ch not in "\t\r\n"))
    if controls > max(2, len(sample) // 100):
        raise AttendanceFileInvalid(
            "This file is not a CSV file. Upload the attendance report exactly as Teams downloads it (a .csv file)."
        )


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(count / 1024))} KB"
