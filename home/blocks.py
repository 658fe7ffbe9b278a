from wagtail import blocks


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False, help_text="A sentence about where the link goes.")
    page = blocks.PageChooserBlock(required=False)
    link_text = blocks.CharBlock(max_length=60, help_text="Say where it goes, e.g. 'Start the series'.")

    class Meta:
        icon = "link"
        template = "components/blocks/call_to_action.html"
        description = "A heading, a sentence and a link to a page."


class HomeStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        max_length=120, template="components/blocks/heading.html", icon="title", form_classname="title"
    )
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"], template="components/blocks/paragraph.html"
    )
    call_to_action = CallToActionBlock()
