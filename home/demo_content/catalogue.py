"""Everything ``seed_demo`` puts on the learning site, apart from the series (``series.py``).

Every person here is made up for the demo, and their consent record says so; every organisation named is
marked as fictional. Helpline numbers are
real and national; the Employee Assistance Programme's number is left to the intranet, where it is kept
current.
"""

from dataclasses import dataclass

from . import CAPTIONS_DIR
from .series import MODULES, SERIES, DemoModule, DemoSeries

LEARNING_INDEX = {
    "title": "Browse learning",
    "slug": "learning",
    "introduction": (
        "<p>Films, training and webinars made with people who have lived experience of homelessness, "
        "addiction, mental ill-health, offending and trauma.</p>"
    ),
}


@dataclass(frozen=True)
class DemoTopic:
    slug: str
    name: str
    description: str


TOPICS = (
    DemoTopic("homelessness", "Homelessness", "Sleeping rough, sofa-surfing, hostels and temporary housing."),
    DemoTopic("substance-use", "Substance use", "Drug and alcohol use, and recovery."),
    DemoTopic("mental-health", "Mental health", "Mental ill-health, and looking after people's wellbeing."),
    DemoTopic("offending-and-prison", "Offending and prison", "Leaving prison, probation and starting again."),
    DemoTopic(
        "trauma-informed-practice",
        "Trauma-informed practice",
        "Working in ways that feel safe for people who have been through trauma.",
    ),
    DemoTopic("co-production", "Co-production", "Designing services with the people who use them, as equals."),
    DemoTopic(
        "universal-credit",
        "Universal Credit",
        "Making a Universal Credit claim work for someone whose life is complicated.",
    ),
    DemoTopic(
        "partnership-working",
        "Partnership working",
        "Working with Community Partners, local services, health and probation.",
    ),
)

# The managed list of content notes: (name, what a film with this note includes).
CONTENT_NOTES = (
    ("Self-harm", "Mentions of self-harm."),
    ("Suicide", "Mentions of suicidal thoughts or feelings."),
    ("Substance use", "Talk about using drugs or alcohol."),
    ("Homelessness", "Talk about sleeping rough or having nowhere safe to stay."),
    ("Abuse", "Mentions of abuse, in childhood or as an adult."),
    ("Prison", "Talk about time in prison and leaving it."),
    ("Domestic abuse", "Mentions of abuse or control by a partner or family member."),
    ("Mental ill-health", "Talk about depression, anxiety or other mental ill-health."),
)


@dataclass(frozen=True)
class DemoContributor:
    key: str
    name: str
    credit: str  # a CreditPreference value
    organisation: str
    agreed: str  # what they agreed to, after the standard "fictional person" preamble
    consent_given_days_ago: int = 120


FICTIONAL_PERSON = "DEMONSTRATION RECORD. This is a fictional person made up for the JCP Learning demo. "
CONTRIBUTORS = (
    DemoContributor(
        "jo",
        "Jo Campbell",
        "full_name",
        "A fictional demo jobcentre",
        "Presenting the introductions to the series 'Working with people with multiple complex needs'. "
        "Shown to DWP staff on JCP Learning for three years.",
    ),
    DemoContributor(
        "leanne",
        "Leanne Price",
        "first_name",
        "A fictional lived experience panel",
        "Co-producing and appearing in the series 'Working with people with multiple complex needs'. Paid "
        "for her time. Shown to DWP staff on JCP Learning for three years.",
    ),
    DemoContributor(
        "dee",
        "Dee Walker",
        "first_name",
        "Example Housing Project, a fictional charity",
        "A filmed story about leaving an unsafe relationship and becoming homeless, credited by first name "
        "only. Shown to DWP staff on JCP Learning for two years; not to be shared outside DWP.",
        consent_given_days_ago=90,
    ),
    DemoContributor(
        "release-day",
        "Chris Doyle",
        "anonymous",
        "",  # nothing that could identify someone who asked to be anonymous
        "An audio story about leaving prison, with the voice changed and no name or face shown. Shown to DWP "
        "staff on JCP Learning for two years.",
        consent_given_days_ago=60,
    ),
    DemoContributor(
        "kwame",
        "Kwame Mensah",
        "full_name",
        "Example Recovery Network, a fictional charity",
        "A filmed story about bereavement, drinking and recovery, credited by full name. Shown to DWP staff on "
        "JCP Learning for three years, and at DWP training events.",
        consent_given_days_ago=200,
    ),
    DemoContributor(
        "ruth",
        "Ruth Okoro",
        "full_name",
        "A fictional DWP partnerships team",
        "Presenting the webinar 'Making referrals that stick'; the recording and slides shown to DWP staff on "
        "JCP Learning for three years.",
        consent_given_days_ago=30,
    ),
    DemoContributor(
        "tom",
        "Tom Hughes",
        "full_name",
        "Example Recovery Network, a fictional charity",
        "Co-presenting the webinar 'Making referrals that stick'. Paid for his time. The recording shown to "
        "DWP staff on JCP Learning for three years.",
        consent_given_days_ago=30,
    ),
)
CONSENT_REVIEW_DAYS = 365


def consent_scope(contributor: DemoContributor) -> str:
    """The consent record's "what they agreed to": it starts with ``FICTIONAL_PERSON``, which is also how a demo
    contributor is told apart from a real person with the same name."""
    return FICTIONAL_PERSON + contributor.agreed


_SAMARITANS = "<li><b>Samaritans</b>: call 116 123, free, any time of day or night.</li>"
_EAP = (
    "<li><b>Employee Assistance Programme</b>: free, confidential support for DWP staff. You will find the "
    "phone number on the intranet.</li>"
)
_MANAGER = "<li>Talk to your line manager, or to a mental health first aider in your office.</li>"


@dataclass(frozen=True)
class DemoFilm:
    slug: str
    title: str
    card: str  # the title card's text
    summary: str
    storyteller: str  # contributor key
    content_notes: tuple[str, ...]
    content_note_detail: str
    support: str  # rich text (HTML)
    questions: tuple[str, ...]
    topics: tuple[str, ...]
    seconds: int


FILMS = (
    DemoFilm(
        slug="somewhere-to-call-home",
        title="Somewhere to call home",
        card="Human library: Somewhere to call home",
        summary=(
            "Dee left an unsafe relationship with nowhere to go. She talks about a year of sofa-surfing and "
            "hostels, and the work coach who asked the right questions first."
        ),
        storyteller="dee",
        content_notes=("Homelessness", "Domestic abuse"),
        content_note_detail=(
            "Dee talks about leaving an unsafe relationship and living in a hostel. She does not describe the abuse."
        ),
        support=(
            "<ul>"
            + _SAMARITANS
            + "<li><b>National Domestic Abuse Helpline</b>: call 0808 2000 247, free, any time.</li>"
            + _EAP
            + _MANAGER
            + "</ul>"
        ),
        questions=(
            "Dee's work coach asked where she was sleeping before talking about work. Why did that matter?",
            "How could you make sure someone does not have to tell their story again and again?",
        ),
        topics=("homelessness", "trauma-informed-practice"),
        seconds=41,
    ),
    DemoFilm(
        slug="release-day",
        title="Release day",
        card="Human library: Release day",
        summary=(
            "Leaving prison on a Friday afternoon, with little money and nowhere booked to stay. What went wrong "
            "the first time, and the planning that made the difference the second time."
        ),
        storyteller="release-day",
        content_notes=("Prison", "Substance use"),
        content_note_detail=(
            "The storyteller talks about leaving prison and going back to using drugs. Their voice has been "
            "changed to protect their identity."
        ),
        support=(
            "<ul>"
            + _SAMARITANS
            + "<li><b>FRANK</b>: call 0300 123 6600 for honest information and advice about drugs.</li>"
            + _EAP
            + _MANAGER
            + "</ul>"
        ),
        questions=(
            "What could your jobcentre do before someone leaves prison, so that they have money and an "
            "appointment on their first working day?",
            "Who are your local contacts in the prison and probation service?",
        ),
        topics=("offending-and-prison", "universal-credit", "substance-use"),
        seconds=41,
    ),
    DemoFilm(
        slug="finding-my-feet-again",
        title="Finding my feet again",
        card="Human library: Finding my feet again",
        summary=(
            "After his dad died, Kwame started drinking and lost his job. He talks about the disability "
            "employment adviser who did not take 'I'm fine' for an answer."
        ),
        storyteller="kwame",
        content_notes=("Substance use", "Mental ill-health", "Suicide"),
        content_note_detail="Kwame talks about grief, drinking and a time when he did not want to be alive.",
        support=(
            "<ul>"
            + _SAMARITANS
            + "<li><b>Shout</b>: text SHOUT to 85258 for free, confidential support by text, any time.</li>"
            + _EAP
            + _MANAGER
            + "</ul>"
        ),
        questions=(
            "How would you notice that someone who says they are fine is not?",
            "What would you say next, and who could you refer them to?",
        ),
        topics=("mental-health", "substance-use"),
        seconds=37,
    ),
)


@dataclass(frozen=True)
class DemoDocument:
    key: str  # its source is documents/<key>.txt
    title: str
    kind: str  # a ResourceKind value: slides, handout …
    layout: str  # "slides" (16:9 pages) or "a4"
    description: str


@dataclass(frozen=True)
class DemoWebinar:
    slug: str
    title: str
    card: str
    summary: str
    held_days_ago: int
    starts_hour: int  # local time
    duration_minutes: int
    presenters: tuple[str, ...]
    topics: tuple[str, ...]
    documents: tuple[str, ...]  # keys of DOCUMENTS: slides first, then handouts
    seconds: int


DOCUMENTS = (
    DemoDocument(
        key="making-referrals-that-stick-slides",
        title="Making referrals that stick: webinar slides",
        kind="slides",
        layout="slides",
        description="The slides from the webinar, with the three steps and where to get support.",
    ),
    DemoDocument(
        key="referral-conversation-checklist",
        title="Referral conversation checklist",
        kind="handout",
        layout="a4",
        description="A one-page checklist to use before, during and after a referral conversation.",
    ),
)

WEBINAR = DemoWebinar(
    slug="making-referrals-that-stick",
    title="Making referrals that stick",
    card="Webinar recording: Making referrals that stick",
    summary=(
        "A webinar with a partnership manager and a peer mentor on referrals that lead somewhere: knowing your "
        "local offer, making the introduction together and following up."
    ),
    held_days_ago=21,
    starts_hour=14,
    duration_minutes=60,
    presenters=("ruth", "tom"),
    topics=("partnership-working", "substance-use"),
    documents=("making-referrals-that-stick-slides", "referral-conversation-checklist"),
    seconds=45,
)


@dataclass(frozen=True)
class DemoAssignment:
    item: str  # "series", or the slug of a film, module or webinar
    level: str  # national, district (the first demo district) or site (the demo learner's jobcentre)
    due_in_days: int
    job_role: str = ""


ASSIGNMENTS = (
    DemoAssignment(item="series", level="national", due_in_days=30),
    DemoAssignment(item="somewhere-to-call-home", level="district", due_in_days=14),
    DemoAssignment(item="making-referrals-that-stick", level="site", due_in_days=7, job_role="work_coach"),
)


@dataclass(frozen=True)
class DemoVideo:
    """A synthetic video: its stable key names the uploaded file and the caption file."""

    key: str
    title: str
    card: str
    seconds: int

    @property
    def filename(self) -> str:
        return f"jcp-demo-{self.key}.mp4"

    @property
    def captions_path(self):
        return CAPTIONS_DIR / f"{self.key}.vtt"


def demo_videos() -> list[DemoVideo]:
    """Every demo video, in the order they are made: the modules, the films, then the webinar."""
    videos = [DemoVideo(m.slug, m.title, f"{n}. {m.title}", m.seconds) for n, m in enumerate(MODULES, start=1)]
    videos += [DemoVideo(f.slug, f.title, f.card, f.seconds) for f in FILMS]
    videos.append(DemoVideo(WEBINAR.slug, f"{WEBINAR.title} (recording)", WEBINAR.card, WEBINAR.seconds))
    return videos


__all__ = [
    "ASSIGNMENTS",
    "CONTENT_NOTES",
    "CONTRIBUTORS",
    "DOCUMENTS",
    "FICTIONAL_PERSON",
    "FILMS",
    "LEARNING_INDEX",
    "MODULES",
    "SERIES",
    "TOPICS",
    "WEBINAR",
    "DemoAssignment",
    "DemoContributor",
    "DemoDocument",
    "DemoFilm",
    "DemoModule",
    "DemoSeries",
    "DemoTopic",
    "DemoVideo",
    "DemoWebinar",
    "consent_scope",
    "demo_videos",
]
