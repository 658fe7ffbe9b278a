"""The one exception the captions package raises for input it cannot accept."""

from __future__ import annotations


class CaptionError(ValueError):
    """A caption file cannot be used.

    ``str(error)`` is a complete sentence written for the volunteer who uploaded the file: it says what is
    wrong and, where possible, what to do about it. It never contains file content beyond a short,
    escaped excerpt, so it is safe to show in the admin and in logs.
    """
