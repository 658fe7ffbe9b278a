"""StreamField blocks for learning pages."""

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock


class ResourceKind(blocks.ChoiceBlock):
    choices = [
        ("handout", "Handout"),
        ("slides", "Slides"),
        ("guide", "Guide or further reading"),
        ("transcript", "Transcript"),
        ("other", "Other"),
    ]


class ResourceBlock(blocks.StructBlock):
    document = DocumentChooserBlock(help_text="Choose a document you have uploaded, or upload a new one.")
    kind = ResourceKind(default="handout", help_text="What kind of document this is. Learners see it beside the link.")
    title = blocks.CharBlock(
        required=False,
        max_length=120,
        help_text="Leave empty to use the document's own title. Say what it is, e.g. 'Referral pathways handout'.",
    )
    description = blocks.TextBlock(required=False, max_length=300, help_text="One sentence on why it is useful.")

    class Meta:
        icon = "doc-full"
        template = "components/blocks/resource.html"
        description = "A document learners can download: a handout, slides or further reading."


class ResourcesBlock(blocks.StreamBlock):
    resource = ResourceBlock()


class OutcomesBlock(blocks.StreamBlock):
    outcome = blocks.CharBlock(
        max_length=200,
        icon="tick",
        help_text="Finish the sentence 'By the end you will be able to…', e.g. 'explain what trauma-informed means'.",
    )


class QuestionsBlock(blocks.StreamBlock):
    question = blocks.CharBlock(
        max_length=300,
        icon="help",
        help_text="A question for learners to think about or discuss with their team. One question per box.",
    )


class IntroductionBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        max_length=120, template="components/blocks/heading.html", icon="title", form_classname="title"
    )
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], template="components/blocks/paragraph.html"
    )
