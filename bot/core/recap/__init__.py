"""The recap: what learners read after the chat, computed from stored answers.

:func:`build_recap` turns one occurrence into a :class:`Recap`; every renderer in
:mod:`bot.render` reads the model and nothing else. The public API is re-exported
here; the modules behind it:

* :mod:`bot.core.recap.model`: the model's types (:class:`Recap`, :class:`Header`,
  :class:`QuestionRecap`, :class:`Quote`, ...);
* :mod:`bot.core.recap.build`: :func:`build_recap`, and the privacy rules it enforces;
  its parts are :mod:`~bot.core.recap.privacy` (scrubbing the names of participants who
  opted out, quoting), :mod:`~bot.core.recap.questions` (one question each) and
  :mod:`~bot.core.recap.listings` (reading list, open questions, moderation timeline);
* :mod:`bot.core.recap.text`: links, sentences, questions and words in participants' text;
* :mod:`bot.core.recap.themes`: TF-IDF themes and representative answers.

Pure: no I/O and no clock.
"""

from __future__ import annotations

from bot.core.recap.build import build_recap
from bot.core.recap.model import (
    ANONYMOUS,
    Engagement,
    Header,
    OpenQuestion,
    Person,
    QuestionRecap,
    QuestionStatus,
    Quote,
    Recap,
    Resource,
    Revision,
    SideConversation,
    Takeaway,
    TimelineEntry,
    Voice,
)
from bot.core.recap.themes import Theme

__all__ = [
    "ANONYMOUS",
    "Engagement",
    "Header",
    "OpenQuestion",
    "Person",
    "QuestionRecap",
    "QuestionStatus",
    "Quote",
    "Recap",
    "Resource",
    "Revision",
    "SideConversation",
    "Takeaway",
    "Theme",
    "TimelineEntry",
    "Voice",
    "build_recap",
]
