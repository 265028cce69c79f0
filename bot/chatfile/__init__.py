"""Chat files: loading and validating the YAML files moderators write into ChatSpecs.

One chat per file; the top level is a mapping of fields (see "Chat files" in the README).
Loading never raises for bad input: every problem is a :class:`Problem` naming its
file, line, column and field, and a broken file never stops the others from loading.

The public API is re-exported here; the modules behind it:

* :mod:`bot.chatfile._load`: reading files and folders, parsing the YAML, ids unique
  across files (:func:`load_chats`, :func:`load_chat_file`, :func:`load_chat_text`);
* :mod:`bot.chatfile._build`: from the YAML tree to a ChatSpec, field by field, with the
  readers in :mod:`bot.chatfile._fields` (texts, ids, numbers, durations, URLs) and
  :mod:`bot.chatfile._time` (time zone, start, until), and the checks across fields in
  :mod:`bot.chatfile._checks`;
* :mod:`bot.chatfile._yaml`: problems with positions (:class:`Problem`, ``Report``) and
  walking the node tree;
* :mod:`bot.chatfile.report`: what ``python -m bot validate`` prints
  (:func:`validate_command`).
"""

from __future__ import annotations

from bot.chatfile._load import (
    ChatSet,
    FileResult,
    Problem,
    load_chat_file,
    load_chat_text,
    load_chats,
)
from bot.chatfile.report import validate_command

__all__ = [
    "ChatSet",
    "FileResult",
    "Problem",
    "load_chat_file",
    "load_chat_text",
    "load_chats",
    "validate_command",
]
