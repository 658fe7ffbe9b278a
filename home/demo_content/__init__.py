"""The demo content that ``seed_demo`` loads: what it says, written by hand, with no Django import.

- ``catalogue.py`` – topics, content notes, the (fictional) contributors, the films, the webinar, its documents
  and the demo assignments; ``series.py`` – the eight-module series.
- ``captions/<key>.vtt`` – a hand-written WebVTT caption file per video, timed to the video's length.
- ``documents/<key>.txt`` – the text of the webinar's slides and handout, made into tagged PDFs by ``pdf.py``.

``lms.services.demo_content`` turns this into pages, videos (through the real media pipeline) and documents.
"""

from pathlib import Path

DEMO_CONTENT_DIR = Path(__file__).resolve().parent
CAPTIONS_DIR = DEMO_CONTENT_DIR / "captions"
DOCUMENTS_DIR = DEMO_CONTENT_DIR / "documents"
