"""Reading Teams attendance reports (lms.attendance): the real layouts and encodings, and junk refused clearly."""

import codecs
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.attendance import (
    MAX_REPORT_BYTES,
    AttendanceFileInvalid,
    Attendee,
    parse_attendance_report,
    parse_duration,
)
from tests.lms.attendance_files import legacy_report, teams_report

PEOPLE = [("Ada Ashworth", "Ada.Ashworth@Example.gov.uk"), ("Alf Atkins", " alf.atkins@example.gov.uk ")]


def test_current_teams_report_utf16_tab_separated_with_summary_and_sections():
    data = teams_report([*PEOPLE, ("Visitor (Guest)", "")])
    assert data.startswith(codecs.BOM_UTF16_LE) and b"\t\x00" in data

    report = parse_attendance_report(data)

    assert (report.layout, report.encoding, report.delimiter) == ("sections", "UTF-16", "tab")
    assert report.meeting_title == "Housing first: webinar"
    assert report.meeting_start == "10/03/2025, 09:58:12"
    # Only "2. Participants" is read: the In-Meeting Activities section lists the same people again.
    assert [attendee.name for attendee in report.attendees] == ["Ada Ashworth", "Alf Atkins", "Visitor (Guest)"]
    ada, alf, guest = report.attendees
    assert ada.email == "ada.ashworth@example.gov.uk" and ada.addresses == ("ada.ashworth@example.gov.uk",)
    assert alf.email == "alf.atkins@example.gov.uk"  # trimmed
    assert (ada.seconds, alf.seconds) == (3600, 59 * 60 + 1)
    assert ada.role == "Organiser" and ada.first_join == "10/03/2025, 09:58:12"
    assert guest.addresses == ()


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("utf-16-le"), id="utf-16-le without BOM"),
        pytest.param(lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), id="utf-16-be with BOM"),
        pytest.param(lambda text: text.encode("utf-16-be"), id="utf-16-be without BOM"),
        pytest.param(lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), id="utf-8 with BOM"),
    ],
)
def test_the_encoding_is_sniffed(encode):
    text = teams_report(PEOPLE).decode("utf-16")
    report = parse_attendance_report(encode(text))
    assert [attendee.email for attendee in report.attendees] == [
        "ada.ashworth@example.gov.uk",
        "alf.atkins@example.gov.uk",
    ]


def test_older_single_table_utf8_folds_join_and_leave_rows_into_one_person():
    report = parse_attendance_report(legacy_report(PEOPLE))

    assert (report.layout, report.encoding, report.delimiter) == ("single table", "UTF-8", "comma")
    assert report.meeting_title == ""
    assert len(report.attendees) == 2
    ada = report.attendees[0]
    assert ada.email == "ada.ashworth@example.gov.uk"
    assert (ada.first_join, ada.last_leave) == ("3/10/2025, 9:58:12 AM", "3/10/2025, 11:00:03 AM")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_report_saved_again_by_excel_with_any_delimiter_and_a_bom(delimiter):
    report = parse_attendance_report(legacy_report(PEOPLE, delimiter=delimiter, bom=True))
    assert [attendee.name for attendee in report.attendees] == ["Ada Ashworth", "Alf Atkins"]


def test_windows_1252_quoted_cells_and_header_case_do_not_matter():
    text = (
        'Meeting Summary\r\nMeeting Title,"Weekly huddle, Tyne"\r\n\r\n'
        " FULL NAME ,JOIN TIME,Leave Time,DURATION,e-mail,Role\r\n"
        '"Jones, Renée","3/10/2025, 10:00 AM","3/10/2025, 11:00 AM",1h,RENEE.JONES@example.gov.uk,Attendee\r\n'
    )
    report = parse_attendance_report(text.encode("cp1252"))

    assert report.encoding == "Windows-1252"
    assert report.meeting_title == "Weekly huddle, Tyne"
    (person,) = report.attendees
    assert (person.name, person.email, person.seconds) == ("Jones, Renée", "renee.jones@example.gov.uk", 3600)


def test_the_upn_is_used_when_the_email_column_is_empty():
    report = parse_attendance_report(teams_report([("Ada Ashworth", "", "ada.ashworth@example.gov.uk")]))
    assert report.attendees[0].addresses == ("ada.ashworth@example.gov.uk",)


def test_a_table_with_only_a_upn_column_is_accepted():
    text = "Name\tParticipant ID (UPN)\tRole\r\nAda\tada@example.gov.uk\tAttendee\r\n"
    report = parse_attendance_report(text.encode("utf-16"))
    assert report.attendees[0].addresses == ("ada@example.gov.uk",)


def test_a_report_without_an_email_column_says_so():
    data = "Full Name\tUser Action\tTimestamp\r\nAda Ashworth\tJoined\t3/10/2025, 9:58:12 AM\r\n".encode("utf-16")
    with pytest.raises(AttendanceFileInvalid, match="no Email column"):
        parse_attendance_report(data)


@pytest.mark.parametrize("data", [b"", b"   \r\n", codecs.BOM_UTF16_LE])
def test_an_empty_file_says_so(data):
    with pytest.raises(AttendanceFileInvalid, match="empty"):
        parse_attendance_report(data)


def test_a_participants_table_with_nobody_says_so():
    with pytest.raises(AttendanceFileInvalid, match="list of participants in this file is empty"):
        parse_attendance_report(teams_report([]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04" + os.urandom(200), "Excel workbook"),
        (b"%PDF-1.7\n" + os.urandom(200), "PDF"),
        (b"\x89PNG\r\n\x1a\n" + os.urandom(200), "image"),
        (bytes(range(256)) * 8, "not a CSV file"),
        (b"Dear team,\nthanks for coming today.\nBest wishes\n", "could not find the list of participants"),
        ("Meeting title\tX\r\nStart time\tY\r\n".encode("utf-16"), "could not find the list of participants"),
    ],
    ids=["xlsx", "pdf", "png", "binary", "a letter", "summary only"],
)
def test_junk_is_refused_with_a_reason(data, message):
    with pytest.raises(AttendanceFileInvalid, match=message):
        parse_attendance_report(data)


def test_a_damaged_utf16_file_is_refused():
    with pytest.raises(AttendanceFileInvalid, match="damaged"):
        parse_attendance_report(codecs.BOM_UTF16_LE + "Name\tEmail\r\n".encode("utf-16-le") + b"\x00\xd8")


def test_too_big_and_too_many_people_are_refused():
    with pytest.raises(AttendanceFileInvalid, match="at most 2 MB"):
        parse_attendance_report(b"Name,Email\n" + b"x" * MAX_REPORT_BYTES)
    people = [(f"Person {n}", f"p{n}@example.gov.uk") for n in range(11)]
    with pytest.raises(AttendanceFileInvalid, match="more than 10 people"):
        parse_attendance_report(teams_report(people), max_attendees=10)
    assert len(parse_attendance_report(teams_report(people[:10]), max_attendees=10).attendees) == 10


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h 2m 3s", 3723),
        ("45m 2s", 2702),
        ("30s", 30),
        ("1 hr 5 min", 3900),
        ("2 hours 1 minute", 7260),
        ("01:02:03", 3723),
        ("2:03", 123),
        ("", None),
        ("soon", None),
        ("1h and a bit", None),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("seconds", "label"),
    [(None, ""), (0, "0 seconds"), (45, "45 seconds"), (61, "1 minute"), (3725, "1 hour 2 minutes")],
)
def test_duration_label(seconds, label):
    assert Attendee(name="A", seconds=seconds).duration_label == label


def test_attendees_survive_the_round_trip_through_the_session():
    report = parse_attendance_report(teams_report(PEOPLE))
    assert [Attendee.from_dict(attendee.to_dict()) for attendee in report.attendees] == list(report.attendees)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_either_parse_or_are_refused_with_a_message(data):
    try:
        report = parse_attendance_report(data)
    except AttendanceFileInvalid as error:
        assert error.message
    else:
        assert report.attendees


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30), max_size=8))
def test_any_cells_under_a_real_header_parse_or_are_refused_with_a_message(cells):
    text = "Name\tEmail\r\n" + "\t".join(cells) + "\r\n"
    try:
        parse_attendance_report(text.encode("utf-16"))
    except AttendanceFileInvalid as error:
        assert error.message
