"""Admin forms for videos: upload a video with its caption files, and add or replace a caption file later.

The forms only check what a volunteer can fix straight away (a missing, empty or wrong kind of file, captions
that cannot be read). Whether the video itself is usable is decided by the pipeline, which says why if not.
"""

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from media_pipeline.captions import CaptionError, parse_caption_file
from media_pipeline.models import CaptionKind
from media_pipeline.services.ingest import CaptionUpload

VIDEO_EXTENSIONS = ("mp4", "m4v", "mov", "webm", "mkv")
VIDEO_ACCEPT = "video/mp4,video/quicktime,video/webm,video/x-matroska,.mp4,.m4v,.mov,.webm,.mkv"
CAPTION_EXTENSIONS = ("vtt", "srt")
CAPTION_ACCEPT = ".vtt,.srt,text/vtt"
MAX_CAPTION_BYTES = 2 * 1024 * 1024
REPLACE_HELP = "A .vtt or .srt file. If the video already has a file for this language and kind, this one replaces it."

# The languages offered for caption files: English and the UK's own languages first, then languages often
# spoken by people using jobcentres. The names of en, cy and gd match the labels the ingest service gives.
LANGUAGES = (
    ("en-GB", "English"),
    ("cy", "Cymraeg (Welsh)"),
    ("gd", "Gàidhlig (Gaelic)"),
    ("ga", "Gaeilge (Irish)"),
    ("ar", "Arabic"),
    ("bn", "Bengali"),
    ("fa", "Farsi (Persian)"),
    ("pa", "Punjabi"),
    ("pl", "Polish"),
    ("ro", "Romanian"),
    ("so", "Somali"),
    ("ti", "Tigrinya"),
    ("uk", "Ukrainian"),
    ("ur", "Urdu"),
)
_SERVICE_NAMED_LANGUAGES = {"en", "cy", "gd"}


def caption_label(language: str, kind: str) -> str:
    """The name learners see in the player's captions menu; empty where the ingest service names it itself."""
    if language.lower().split("-")[0] in _SERVICE_NAMED_LANGUAGES:
        return ""
    name = dict(LANGUAGES).get(language, language)
    if kind == CaptionKind.CAPTIONS:
        return name
    return f"{name} ({CaptionKind(kind).label.split(' (')[0].lower()})"


def _extension(name: str) -> str:
    return Path(name).suffix.lower().lstrip(".")


@contextmanager
def uploaded_file_path(upload: UploadedFile) -> Iterator[Path]:
    """A path on local disk holding the upload, for as long as the block runs.

    Large uploads already are a file (TemporaryUploadedFile); small ones are held in memory and are written to a
    temporary file here. The temporary name never comes from the uploaded file's name.
    """
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(prefix="jcp-upload-") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


class CaptionFileForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A .vtt or .srt file, the kind a captioning service or YouTube gives you.",
        error_messages={
            "required": "Choose the captions file for this language.",
            "empty": "The captions file you chose is empty. Choose it again, or ask for a new copy.",
        },
        widget=forms.FileInput(attrs={"accept": CAPTION_ACCEPT}),
    )
    language = forms.ChoiceField(
        choices=LANGUAGES, initial="en-GB", help_text="The language the captions are written in."
    )
    kind = forms.ChoiceField(
        choices=CaptionKind.choices,
        initial=CaptionKind.CAPTIONS,
        label="What the file contains",
        help_text="Usually 'Captions': the words spoken and important sounds, in the same language as the video.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if _extension(upload.name) not in CAPTION_EXTENSIONS:
            raise ValidationError(
                "Choose a .vtt or .srt captions file. If you were given a Word or text document, ask for the "
                "captions as a .vtt or .srt file."
            )
        if upload.size > MAX_CAPTION_BYTES:
            raise ValidationError("This captions file is too big to be a captions file. Check it is the right file.")
        data = upload.read()
        upload.seek(0)
        try:
            parse_caption_file(data, filename=upload.name)
        except CaptionError as error:
            raise ValidationError(f"This captions file cannot be used: {error}") from error
        return upload

    def caption_upload(self, path: Path) -> CaptionUpload:
        language, kind = self.cleaned_data["language"], self.cleaned_data["kind"]
        return CaptionUpload(
            path=path,
            filename=self.cleaned_data["file"].name,
            language=language,
            kind=kind,
            label=caption_label(language, kind),
        )


class BaseCaptionFileFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data.get("file"):
                continue
            key = (form.cleaned_data["language"], form.cleaned_data["kind"])
            if key in seen:
                language = dict(LANGUAGES).get(key[0], key[0])
                kind = CaptionKind(key[1]).label.split(" (")[0].lower()
                raise ValidationError(f"There are two {language} {kind} files. Remove one of them.")
            seen.add(key)


CaptionFileFormSet = forms.formset_factory(
    CaptionFileForm, formset=BaseCaptionFileFormSet, extra=1, max_num=10, validate_max=True
)


class VideoUploadForm(forms.Form):
    """A new video: its title, the video file and any number of caption files (a formset)."""

    title = forms.CharField(
        max_length=255,
        help_text="What the video is called. Learners see this title.",
        error_messages={"required": "Enter a title for the video."},
    )
    video_file = forms.FileField(
        label="Video file",
        error_messages={
            "required": "Choose the video file to upload.",
            "empty": "The video file you chose is empty. Choose the video file again.",
        },
        widget=forms.FileInput(attrs={"accept": VIDEO_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_gb = settings.MEDIA_MAX_UPLOAD_BYTES / 1024**3
        self.fields["video_file"].help_text = (
            f"Upload the video file (MP4, MOV, WebM or MKV, up to {limit_gb:g} GB). A large file can take a while "
            "on a slow connection: keep this page open until the upload finishes."
        )
        self.captions = CaptionFileFormSet(
            data=self.data if self.is_bound else None,
            files=self.files if self.is_bound else None,
            prefix="captions",
        )

    def clean_video_file(self):
        upload = self.cleaned_data["video_file"]
        extension = _extension(upload.name)
        if extension not in VIDEO_EXTENSIONS:
            found = f"“{Path(upload.name).name}” is not a video file we can use." if extension else ""
            raise ValidationError(f"{found} Choose an MP4, MOV, WebM or MKV video file.".strip())
        limit = settings.MEDIA_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1024**3:.1f} GB; the largest video you can upload is "
                f"{limit / 1024**3:g} GB. Ask for a smaller copy of the video."
            )
        return upload

    def is_valid(self) -> bool:
        # Validate both, so every error shows at once.
        video_valid = super().is_valid()
        captions_valid = self.captions.is_valid()
        return video_valid and captions_valid

    @property
    def media(self):
        return super().media + self.captions.media

    @contextmanager
    def service_arguments(self) -> Iterator[dict]:
        """The keyword arguments for `video_create`, with every upload available as a local file meanwhile."""
        with ExitStack() as stack:
            video = self.cleaned_data["video_file"]
            captions = [
                form.caption_upload(stack.enter_context(uploaded_file_path(form.cleaned_data["file"])))
                for form in self.captions.forms
                if form.cleaned_data.get("file")
            ]
            yield {
                "title": self.cleaned_data["title"],
                "video_path": stack.enter_context(uploaded_file_path(video)),
                "original_filename": video.name,
                "captions": captions,
            }


class VideoCaptionForm(CaptionFileForm):
    """One caption file for a video that exists: added, or replacing the file for the same language and kind."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "caption")
        super().__init__(*args, **kwargs)
        self.fields["file"].label = "Captions file"
        self.fields["file"].help_text = REPLACE_HELP
