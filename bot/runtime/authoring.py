"""Chats written in Discord: from a form to a stored, planned chat, and back to a file.

What ``/host new``, ``/host edit``, ``/host set``, ``/host export`` and ``/host delete`` do,
without Discord (the adapter only shows forms and replies):

* a form is checked by exactly the rules of chat files (:func:`bot.chatfile.form.check_form`);
  what the moderator typed is kept as a :class:`~bot.core.ports.ChatDraft` until the chat
  is valid, so a form with problems reopens filled in;
* a valid chat is stored like an uploaded one (no ``source``) and scheduled through the
  engine, which plans it and tells its listeners (the server event, the collector): a
  change re-plans an occurrence not yet started as a changed file does, and one that is
  live keeps the spec it started with;
* chats defined by a file in ``CHATS_DIR`` are changed in their file, so changing or
  deleting one from Discord is refused with the file's name (exporting is fine);
* delete stops planning the chat: its occurrence not yet started is dropped with its
  server event, past ones stay for the archive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from bot.chatfile import ChatSet
from bot.chatfile.dump import dump_chat
from bot.chatfile.form import ChatForm, FormProblem, check_form, form_of, new_chat_id
from bot.core.errors import ChatNotFound, DefinedByFile, DraftExpired
from bot.core.ports import ChatDraft, ChatStore, DraftStore, Occurrence, OccurrenceStore
from bot.core.spec import ChatSpec
from bot.runtime.engine import Engine

#: How long a form's draft is kept (the retry button works until then).
DRAFT_LIFETIME = timedelta(days=1)
#: Stands in for the questions while the short fields of /host new are checked.
_PLACEHOLDER_QUESTION = "Placeholder question?"


class AuthoringStore(ChatStore, OccurrenceStore, DraftStore, Protocol):
    """What writing chats reads and writes: chats, their occurrences, and drafts."""


@dataclass(frozen=True)
class Saved:
    """The chat was stored and planned (``occurrence`` None: it has no date to come)."""

    spec: ChatSpec
    occurrence: Occurrence | None
    #: Warnings: the chat is saved, but the moderator may want to know.
    warnings: list[FormProblem] = field(default_factory=list)


@dataclass(frozen=True)
class Refused:
    """Nothing was stored: every problem, and the draft that keeps what was typed."""

    problems: list[FormProblem]
    draft: ChatDraft | None = None


class Authoring:
    """Writes chats from Discord's forms and options (see the module docstring)."""

    def __init__(
        self,
        store: AuthoringStore,
        engine: Engine,
        chat_files: Callable[[], ChatSet],
        chats_dir: Path,
    ) -> None:
        self.store = store
        self.engine = engine
        self.chat_files = chat_files
        self.chats_dir = chats_dir

    # --- reading chats ----------------------------------------------------------------------

    async def chat(self, chat_id: str) -> ChatSpec:
        """The active chat ``chat_id``; :class:`ChatNotFound` when there is none."""
        for spec in await self.store.chat_specs():
            if spec.id == chat_id:
                return spec
        raise ChatNotFound(f"no chat {chat_id!r} is scheduled; see /chat list")

    async def database_chat(self, chat_id: str) -> ChatSpec:
        """The chat ``chat_id`` when Discord may change it: :class:`DefinedByFile` names the
        file of a chat a file defines."""
        spec = await self.chat(chat_id)
        if spec.source is not None:
            raise DefinedByFile(
                f"{chat_id} is defined by the chat file {self.show_path(spec.source)}; "
                "change it there, then /host reload"
            )
        return spec

    def show_path(self, source: str) -> str:
        """A chat file's path as moderators know it: from the folder above ``CHATS_DIR``."""
        path = Path(source)
        try:
            return str(path.relative_to(self.chats_dir.parent))
        except ValueError:
            return source

    async def taken_ids(self) -> set[str]:
        """Ids a new chat may not have: every stored chat's (deleted ones too) and every
        chat file's."""
        stored = {spec.id for spec in await self.store.chat_specs(active_only=False)}
        return stored | set(self.chat_files().specs)

    # --- forms ------------------------------------------------------------------------------

    async def open_new(self, form: ChatForm, guild_id: int, user_id: int) -> ChatDraft | Refused:
        """Check the short fields of ``/host new`` (title ... channel) and keep them as a
        draft whose form asks for the rest; :class:`Refused` with their problems. The chat
        belongs to server ``guild_id`` (0: none)."""
        now = self.engine.clock.now()
        probe = replace(form, questions=_PLACEHOLDER_QUESTION)
        checked = check_form(probe, "new-chat", now, guild=guild_id or None)
        if checked.errors:
            return Refused(checked.errors)
        return await self._draft(guild_id, user_id, None, form)

    async def open_edit(self, chat_id: str, guild_id: int, user_id: int) -> ChatDraft:
        """A draft of a stored chat's form, filled in (``/host edit``)."""
        spec = await self.database_chat(chat_id)
        return await self._draft(guild_id, user_id, chat_id, form_of(spec))

    async def _draft(
        self, guild_id: int, user_id: int, chat_id: str | None, form: ChatForm
    ) -> ChatDraft:
        now = self.engine.clock.now()
        await self.store.delete_drafts_before(now - DRAFT_LIFETIME)
        return await self.store.save_draft(
            ChatDraft(0, guild_id, user_id, chat_id, form.fields(), now)
        )

    async def draft(self, draft_id: int, user_id: int) -> ChatDraft:
        """The draft ``draft_id`` of ``user_id``; :class:`DraftExpired` when it is gone."""
        draft = await self.store.draft(draft_id)
        if draft is None or draft.user_id != user_id:
            raise DraftExpired(
                "this form has expired (its chat was saved, or it is over a day old); "
                "run /host new or /host edit again"
            )
        return draft

    async def submit(
        self,
        draft_id: int,
        user_id: int,
        *,
        questions: str,
        intro: str,
        closing: str,
        prompts: str,
    ) -> Saved | Refused:
        """The form of draft ``draft_id`` submitted by ``user_id``: save and plan the chat, or
        keep what was typed in the draft and return the problems."""
        draft = await self.draft(draft_id, user_id)
        form = ChatForm.from_fields(draft.fields).with_texts(questions, intro, closing, prompts)
        draft = await self.store.save_draft(replace(draft, fields=form.fields()))
        if draft.chat_id is None:
            base, chat_id = None, new_chat_id(form.hashtag, await self.taken_ids())
        else:
            base, chat_id = await self.database_chat(draft.chat_id), draft.chat_id
        outcome = await self._save(form, chat_id, base, draft.guild_id or None)
        if isinstance(outcome, Refused):
            return replace(outcome, draft=draft)
        await self.store.delete_draft(draft.draft_id)
        return outcome

    async def change(
        self,
        chat_id: str,
        *,
        title: str | None = None,
        start: str | None = None,
        timezone: str | None = None,
        repeat: str | None = None,
        interval: str | None = None,
        channel: int | None = None,
        suggestions: str | None = None,
    ) -> Saved | Refused:
        """``/host set``: change the short fields of a stored chat (those given)."""
        base = await self.database_chat(chat_id)
        form = form_of(base)
        form = replace(
            form,
            title=form.title if title is None else title,
            start=form.start if start is None else start,
            timezone=form.timezone if timezone is None else timezone,
            repeat=form.repeat if repeat is None else repeat,
            interval=form.interval if interval is None else interval,
            channel=form.channel if channel is None else channel,
            suggestions=form.suggestions if suggestions is None else suggestions,
        )
        return await self._save(form, chat_id, base, base.guild)

    async def _save(
        self, form: ChatForm, chat_id: str, base: ChatSpec | None, guild_id: int | None
    ) -> Saved | Refused:
        checked = check_form(form, chat_id, self.engine.clock.now(), base=base, guild=guild_id)
        if checked.spec is None:
            return Refused(checked.problems)
        spec = replace(checked.spec, source=None)
        occurrence = await self.engine.schedule_chat(spec)
        return Saved(spec, occurrence, checked.problems)

    # --- export and delete ------------------------------------------------------------------

    async def export(self, chat_id: str) -> tuple[str, str]:
        """The chat as a chat file: its name and its text (``/host export``)."""
        spec = await self.chat(chat_id)
        return f"{spec.id}.yaml", dump_chat(spec)

    async def delete(self, chat_id: str) -> ChatSpec:
        """Delete a chat scheduled in Discord; returns it (see the module docstring)."""
        spec = await self.database_chat(chat_id)
        await self.engine.retire_chat(chat_id)
        return spec
