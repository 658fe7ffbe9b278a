"""The demo series "Working with people with multiple complex needs": eight modules, in order.

Written for Jobcentre Plus work coaches: plain English, person-first, and no statistics – the demo must not
put numbers in front of staff that nobody measured. Each module's ``seconds`` is the length of its synthetic
video, which its hand-written caption file (``captions/<slug>.vtt``) is timed to.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoModule:
    slug: str
    title: str
    summary: str
    outcomes: tuple[str, ...]
    before_you_watch: str  # rich text (HTML)
    questions: tuple[str, ...]
    topics: tuple[str, ...]  # topic slugs
    seconds: int
    contributors: tuple[str, ...] = ("jo", "leanne")  # contributor keys, see catalogue.CONTRIBUTORS
    documents: tuple[str, ...] = ()  # document keys, see catalogue.DOCUMENTS


@dataclass(frozen=True)
class DemoSeries:
    slug: str
    title: str
    summary: str
    introduction: tuple[tuple[str, str], ...]  # (block type, value) for the IntroductionBlock stream
    topics: tuple[str, ...]
    modules: tuple[DemoModule, ...]


MODULES = (
    DemoModule(
        slug="multiple-complex-needs-explained",
        title="Multiple complex needs explained",
        summary=(
            "What people mean by multiple complex needs, why homelessness, drug and alcohol use, mental "
            "ill-health and offending so often come together, and why that matters at the jobcentre."
        ),
        outcomes=(
            "describe, in your own words, what multiple complex needs means",
            "explain why one problem can make the others harder to deal with",
            "recognise when someone may be facing several needs, even if they only mention one",
        ),
        before_you_watch=(
            "<p>Think of someone you have worked with whose situation felt complicated. You do not need to name "
            "them. Keep them in mind as you watch.</p>"
            "<p>The video mentions homelessness, drug and alcohol use and prison.</p>"
        ),
        questions=(
            "How many different services might someone facing homelessness, addiction and a recent prison "
            "release have to deal with in one week?",
            "Which of our processes assume that a claimant has one problem at a time?",
            "What is one thing you could do differently at your next appointment with someone facing several needs?",
        ),
        topics=("homelessness", "substance-use", "mental-health", "offending-and-prison"),
        seconds=34,
    ),
    DemoModule(
        slug="trauma-informed-conversations",
        title="Trauma-informed conversations",
        summary=(
            "How past trauma can shape the way someone reacts to waiting, forms and appointments, and how to "
            "run a conversation that feels safe, gives choice and builds trust."
        ),
        outcomes=(
            "explain what being trauma-informed means in a jobcentre",
            "spot moments in an appointment that may feel unsafe or out of someone's control",
            "use questions that offer choice, such as asking what would help",
        ),
        before_you_watch=(
            "<p>Trauma-informed practice is not about asking people to tell you what happened to them. It is "
            "about working in a way that does not add to the harm.</p>"
            "<p>If anything in this module brings up difficult feelings for you, take a break and talk to "
            "someone you trust.</p>"
        ),
        questions=(
            "Think of an appointment that went badly. What might it have felt like from the claimant's side?",
            "Where in your appointments could you offer a real choice, however small?",
        ),
        topics=("trauma-informed-practice", "mental-health"),
        seconds=33,
    ),
    DemoModule(
        slug="psychologically-informed-environments",
        title="Psychologically informed environments",
        summary=(
            "Psychologically informed environments (PIE) began in homelessness services. This module looks at "
            "how the space, the routines and the relationships in a jobcentre can help people feel safe."
        ),
        outcomes=(
            "describe what a psychologically informed environment is",
            "name changes to your office's space or routines that could help people feel safer",
        ),
        before_you_watch=(
            "<p>Next time you arrive at work, come in through the front door as a claimant would. Notice what "
            "you see and hear, and where you would be asked to wait.</p>"
        ),
        questions=(
            "What is the first thing someone sees, hears and is asked when they come into your jobcentre?",
            "What is one small change to your office that you could suggest to your manager?",
            "How do your team talk about people who are not in the room?",
        ),
        topics=("trauma-informed-practice", "homelessness", "mental-health"),
        seconds=32,
    ),
    DemoModule(
        slug="universal-credit-and-complex-lives",
        title="Universal Credit and complex lives",
        summary=(
            "What Universal Credit asks of people whose lives are chaotic, and how to use the flexibility "
            "that already exists: tailoring the claimant commitment, easements and realistic agreements."
        ),
        outcomes=(
            "identify the parts of a Universal Credit claim that are hardest for someone without a stable "
            "home, phone or bank account",
            "explain how tailoring a claimant commitment can keep someone engaged",
            "know where to check the current guidance on easements before you apply one",
        ),
        before_you_watch=(
            "<p>Have your office's current guidance on claimant commitments and easements to hand. The rules "
            "change, so this module does not repeat them: it is about how to use them well.</p>"
        ),
        questions=(
            "What would you do if someone missed an appointment because they had no phone or credit?",
            "How do you agree a commitment that someone can actually keep?",
        ),
        topics=("universal-credit", "homelessness"),
        seconds=33,
    ),
    DemoModule(
        slug="co-production-with-lived-experience",
        title="Co-production with lived experience",
        summary=(
            "Co-production means designing services with the people who use them, as equals, from the start. "
            "This series was made that way. Here is what it involves and how to do it well."
        ),
        outcomes=(
            "explain the difference between consulting people and co-producing with them",
            "describe what makes co-production fair: paying people, sharing power and following through",
            "avoid common mistakes, such as asking for views once the decisions are made",
        ),
        before_you_watch=(
            "<p>Think about a time when you were asked for your opinion on a decision that had already been "
            "made. How did it feel?</p>"
        ),
        questions=(
            "Which decision in your jobcentre would be better if people with lived experience helped make it?",
            "What would you need to put in place so that taking part is safe and worth someone's time?",
        ),
        topics=("co-production",),
        seconds=32,
    ),
    DemoModule(
        slug="community-partners-and-referral-pathways",
        title="Community Partners and referral pathways",
        summary=(
            "Community Partners bring lived experience and local knowledge into jobcentres. This module shows "
            "how to work with them to map local support and make referrals that lead somewhere."
        ),
        outcomes=(
            "describe what Community Partners do and how to involve them",
            "map the local services that support people with multiple complex needs",
            "make a warm referral and check afterwards that it worked",
        ),
        before_you_watch=(
            "<p>Find out who the Community Partner for your jobcentre is, if you do not know already.</p>"
            "<p>You may want the <b>referral conversation checklist</b> from the webinar "
            "&quot;Making referrals that stick&quot; to hand.</p>"
        ),
        questions=(
            "Which three local services do you refer people to most? When did you last check they still offer "
            "what you think they do?",
            "How do you find out whether a referral you made actually helped?",
        ),
        topics=("partnership-working", "co-production"),
        seconds=30,
        documents=("referral-conversation-checklist",),
    ),
    DemoModule(
        slug="what-mystery-shopping-taught-us",
        title="What mystery shopping taught us",
        summary=(
            "People with lived experience visited jobcentres as claimants and told us honestly how it felt. "
            "What they found, and what offices changed as a result."
        ),
        outcomes=(
            "describe what the mystery shoppers noticed first when they came into a jobcentre",
            "explain why how we do things matters as much as the rules we apply",
        ),
        before_you_watch=(
            "<p>The mystery shoppers describe real experiences of being a claimant, good and bad. Listen for "
            "what you recognise from your own office.</p>"
        ),
        questions=(
            "If a mystery shopper visited your jobcentre tomorrow, what would you want them to notice?",
            "What would they find hard?",
            "Who in your office is the first person a claimant meets, and what support do they have?",
        ),
        topics=("co-production", "trauma-informed-practice"),
        seconds=32,
    ),
    DemoModule(
        slug="building-trust",
        title="Building trust",
        summary=(
            "Trust is built in small, reliable actions over time. How to keep going when someone tests you, "
            "misses appointments or gets angry, and how to be honest about what you can and cannot do."
        ),
        outcomes=(
            "explain why people who have been let down before may find it hard to trust us",
            "use small, reliable actions to build trust over time",
            "explain a decision honestly, including one the person will not like",
        ),
        before_you_watch=(
            "<p>This is the last module in the series. Before you watch, look back at your answers to the "
            "questions in the first module.</p>"
        ),
        questions=(
            "What small promise could you make, and keep, at your next appointment?",
            "How do you explain a decision you cannot change in a way that keeps the door open?",
        ),
        topics=("trauma-informed-practice", "mental-health"),
        seconds=35,
    ),
)

SERIES = DemoSeries(
    slug="working-with-multiple-complex-needs",
    title="Working with people with multiple complex needs",
    summary=(
        "Eight short modules, made with people who have lived experience, on working well with claimants who "
        "face several problems at once."
    ),
    introduction=(
        ("heading", "About this series"),
        (
            "paragraph",
            "<p>Many of the people who find the jobcentre hardest to deal with are facing several things at "
            "once: homelessness, drug or alcohol use, mental ill-health, a prison record, or trauma. This series "
            "is about working with them in ways that help.</p>"
            "<p>It was made with people who have lived experience of these needs. You will hear from them in "
            "every module.</p>",
        ),
        ("heading", "How to take it"),
        (
            "paragraph",
            "<ul><li>Take the modules in order. Each has a short video with captions and a transcript.</li>"
            "<li>Use the questions after each video on your own or with your team.</li>"
            "<li>The series is complete when you have finished all eight modules.</li></ul>",
        ),
    ),
    topics=("homelessness", "substance-use", "mental-health", "offending-and-prison", "trauma-informed-practice"),
    modules=MODULES,
)
