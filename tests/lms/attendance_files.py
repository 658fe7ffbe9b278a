"""Attendance reports shaped like the files Microsoft Teams downloads, for the attendance tests.

``teams_report`` writes the current layout (UTF-16 LE with a BOM, tab-separated, ``1. Summary``,
``2. Participants``, ``3. In-Meeting Activities``, CRLF line ends); ``legacy_report`` the older single table.
People are ``(name, email)`` pairs, or ``(name, email, upn)`` when the UPN differs.
"""

from collections.abc import Sequence

PARTICIPANTS_HEADER = (
    "Name",
    "First Join",
    "Last Leave",
    "In-Meeting Duration",
    "Email",
    "Participant ID (UPN)",
    "Role",
)


def teams_report(
    people: Sequence[tuple[str, ...]],
    *,
    title: str = "Housing first: webinar",
    start: str = "10/03/2025, 09:58:12",
    encoding: str = "utf-16",
    header: Sequence[str] = PARTICIPANTS_HEADER,
) -> bytes:
    lines = [
        "1. Summary",
        f"Meeting title\t{title}",
        f"Attended participants\t{len(people)}",
        f"Start time\t{start}",
        "End time\t10/03/2025, 11:02:40",
        "Meeting duration\t1h 4m 28s",
        "Average attendance time\t52m 10s",
        "",
        "2. Participants",
        "\t".join(header),
    ]
    for number, person in enumerate(people):
        name, email = person[0], person[1]
        upn = person[2] if len(person) > 2 else email
        role = "Organiser" if number == 0 else "Attendee"
        minutes = 60 - number % 50
        lines.append(
            "\t".join(
                [name, "10/03/2025, 09:58:12", "10/03/2025, 11:00:00", f"{minutes}m {number % 60}s", email, upn, role]
            )
        )
    lines += ["", "3. In-Meeting Activities", "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole"]
    for person in people:
        lines.append(f"{person[0]}\t10/03/2025, 09:58:12\t10/03/2025, 10:30:00\t31m 48s\t{person[1]}\tAttendee")
    text = "\r\n".join(lines) + "\r\n"
    return text.encode(encoding)  # Python's "utf-16" writes a BOM and little-endian on this platform


def legacy_report(people: Sequence[tuple[str, ...]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    """The 2021 single table: a row per join and per leave, times with AM/PM, dates quoted (they hold commas)."""
    rows = [delimiter.join(["Full Name", "User Action", "Timestamp", "Email"])]
    for name, email, *_ in people:
        rows.append(delimiter.join([name, "Joined", '"3/10/2025, 9:58:12 AM"', email]))
        rows.append(delimiter.join([name, "Left", '"3/10/2025, 11:00:03 AM"', email]))
    data = ("\r\n".join(rows) + "\r\n").encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data
