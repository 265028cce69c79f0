"""The Discord side of writing chats: the form (a modal), its retry button, the delete
confirmation, and what they reply.

Everything here outlives a restart, since the state lives in the database, named by a
fixed ``custom_id``:

* the form's ``custom_id`` names its draft (``qachat:chat-form:<draft>``), and its submit is
  handled by that id (:meth:`bot.discord_app.authoring.AuthoringCommands.on_form_submitted`),
  not by the :class:`ChatFormModal` object discord.py keeps in memory, so a form submitted
  after a restart still arrives;
* the buttons are :class:`discord.ui.DynamicItem` s (registered in
  :meth:`bot.discord_app.client.ChatBot.add_cogs`): the retry button names the draft to
  reopen, the delete buttons the chat.

Buttons and forms are not slash commands, so the moderator check of ``/host`` is made
again here (:func:`as_moderator`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import discord

from bot.chatfile.form import ChatForm, FormProblem
from bot.core.errors import ChatError
from bot.core.ports import ChatDraft
from bot.core.run import Phase
from bot.discord_app.replies import NO_MENTIONS, reply, when
from bot.discord_app.services import Services
from bot.runtime.authoring import Refused, Saved

log = logging.getLogger(__name__)

FORM_ID = re.compile(r"qachat:chat-form:(?P<draft>[0-9]{1,18})")
#: Discord's limits: a modal's title, a text input's value.
MODAL_TITLE_LIMIT = 45
TEXT_INPUT_LIMIT = 4000
#: The intro and the closing leave room for the hashtag and mentions (as in chat files).
LONG_TEXT_LIMIT = 1900
MESSAGE_LIMIT = 2000

#: The form's fields: (name, label, description, required, longest).
FIELDS = (
    (
        "questions",
        "Questions",
        "One per line, in order; the bot adds Q1:, Q2: ... and the hashtag",
        True,
        TEXT_INPUT_LIMIT,
    ),
    ("intro", "Intro (optional)", "Posted at the start time", False, LONG_TEXT_LIMIT),
    ("closing", "Closing (optional)", "Posted after the last question", False, LONG_TEXT_LIMIT),
    (
        "prompts",
        "Reflection prompts (optional)",
        "One per line; the recap asks learners these",
        False,
        TEXT_INPUT_LIMIT,
    ),
)


class FormTooLong(ChatError):
    """A chat whose long fields do not fit in a Discord form."""


def services_of(client: discord.Client) -> Services:
    """The bot's services (a :class:`bot.discord_app.client.ChatBot` has them)."""
    services = getattr(client, "services", None)
    if not isinstance(services, Services):
        raise TypeError("the client has no services")
    return services


async def as_moderator(
    interaction: discord.Interaction, work: Callable[[Services], Awaitable[None]]
) -> None:
    """Run ``work`` for a moderator; anyone else, and any named error of the core, gets an
    ephemeral reply with the reason; anything unexpected is logged and said to be (what the
    command tree does for slash commands)."""
    services = services_of(interaction.client)
    try:
        services.require_moderator(interaction.user)
        await work(services)
    except ChatError as error:
        await reply(interaction, f"⚠️ {error}")
    except Exception:
        log.exception("a form or button of %s failed", interaction.user.id)
        await reply(interaction, "⚠️ Something went wrong; the error is in the bot's log.")


# --- the form ---------------------------------------------------------------------------------


class ChatFormModal(discord.ui.Modal):
    """The long fields of a chat, filled in from its draft (see the module docstring)."""

    def __init__(self, draft: ChatDraft) -> None:
        form = ChatForm.from_fields(draft.fields)
        what = f"Edit {draft.chat_id}" if draft.chat_id else f"New chat {form.hashtag}"
        super().__init__(
            title=what[:MODAL_TITLE_LIMIT],
            custom_id=f"qachat:chat-form:{draft.draft_id}",
            timeout=3600,
        )
        values = {name: getattr(form, name) for name, *_ in FIELDS}
        too_long = [name for name, *_, longest in FIELDS if len(values[name]) > longest]
        if too_long:
            raise FormTooLong(
                f"{', '.join(too_long)} of this chat are too long for a Discord form; "
                "use /host export, edit the file, and upload it with /host schedule"
            )
        for name, label, description, required, longest in FIELDS:
            text = discord.ui.TextInput[ChatFormModal](
                custom_id=name,
                style=discord.TextStyle.paragraph,
                default=values[name] or None,
                required=required,
                max_length=longest,
            )
            self.add_item(discord.ui.Label(text=label, description=description, component=text))


def submitted_values(data: Mapping[str, Any] | None) -> dict[str, str]:
    """The text inputs of a submitted form by ``custom_id``, in a label or an action row."""
    found: dict[str, str] = {}

    def walk(components: list[Any]) -> None:
        for component in components:
            if component.get("type") == 1:
                walk(list(component.get("components") or []))
            elif component.get("type") == 18 and component.get("component"):
                walk([component["component"]])
            elif component.get("type") == 4 and "custom_id" in component:
                found[str(component["custom_id"])] = str(component.get("value") or "")

    walk(list((data or {}).get("components") or []))
    return found


# --- replies ----------------------------------------------------------------------------------


def problems_text(problems: list[FormProblem], *, retry: bool, edited: bool = False) -> str:
    """Every problem by field and line, within one message."""
    head = "⚠️ Nothing is changed yet." if edited else "⚠️ The chat is not saved yet."
    head += (
        " Fix these, then press **Reopen the form** (what you typed is kept):"
        if retry
        else " Fix these:"
    )
    lines = [head]
    for number, problem in enumerate(problems):
        line = f"• {problem}"
        if sum(len(x) + 1 for x in [*lines, line]) > MESSAGE_LIMIT - 40:
            lines.append(f"… and {len(problems) - number} more")
            break
        lines.append(line)
    return "\n".join(lines)


def saved_text(saved: Saved, *, edited: bool) -> str:
    """What a moderator is told once a chat is stored and planned."""
    spec, occurrence = saved.spec, saved.occurrence
    name = f"**{spec.title}** {spec.hashtag} (`{spec.id}`)"
    if occurrence is None:
        text = f"✅ {name} is saved, but it has no date to come."
    elif occurrence.run.phase not in (Phase.SCHEDULED, Phase.ANNOUNCED):
        text = (
            f"✅ {name} is saved. The run in progress keeps what it started with; the change "
            "applies from the next one."
        )
    else:
        verb = "is now scheduled" if edited else "is scheduled"
        text = f"✅ {name} {verb} for {when(occurrence.run.start)} in <#{spec.channel}>."
        if not edited:
            text += (
                f" It is listed in /chat list. /host edit chat:{spec.id} changes the questions;"
                f" /host export chat:{spec.id} gives its chat file."
            )
    warnings = [f"• {p}" for p in saved.warnings]
    return "\n".join([text, *warnings])


async def send_refused(
    interaction: discord.Interaction, refused: Refused, *, edited: bool = False
) -> None:
    """The problems, with a button that reopens the form filled in (when there is a draft)."""
    view = None
    if refused.draft is not None:
        view = discord.ui.View(timeout=None)
        view.add_item(RetryButton(refused.draft.draft_id))
    text = problems_text(refused.problems, retry=view is not None, edited=edited)
    if interaction.response.is_done():
        if view is None:
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(
                text, view=view, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
    else:
        await reply(interaction, text)


# --- buttons ----------------------------------------------------------------------------------


class RetryButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qachat:chat-retry:(?P<draft>[0-9]{1,18})",
):
    """Reopens a form with what was typed in it."""

    def __init__(self, draft_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Reopen the form",
                style=discord.ButtonStyle.primary,
                custom_id=f"qachat:chat-retry:{draft_id}",
            )
        )
        self.draft_id = draft_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RetryButton:
        """The button of a message sent before (a restart too)."""
        return cls(int(match["draft"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the form again, filled in with the draft."""

        async def reopen(services: Services) -> None:
            draft = await services.authoring.draft(self.draft_id, interaction.user.id)
            await interaction.response.send_modal(ChatFormModal(draft))

        await as_moderator(interaction, reopen)


class DeleteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qachat:chat-delete:(?P<chat>[a-z0-9-]{2,63})",
):
    """Confirms ``/host delete``."""

    def __init__(self, chat_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=f"Delete {chat_id}"[:80],
                style=discord.ButtonStyle.danger,
                custom_id=f"qachat:chat-delete:{chat_id}",
            )
        )
        self.chat_id = chat_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DeleteButton:
        """The button of a message sent before (a restart too)."""
        return cls(match["chat"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Delete the chat; the confirmation says so, without its buttons."""

        async def delete(services: Services) -> None:
            spec = await services.authoring.delete(self.chat_id)
            await services.collector.refresh()
            await interaction.response.edit_message(
                content=(
                    f"🗑️ {spec.title} {spec.hashtag} (`{spec.id}`) is deleted: nothing more is "
                    "planned, its next date and server event are cancelled. Past recaps stay."
                ),
                view=None,
                allowed_mentions=NO_MENTIONS,
            )

        await as_moderator(interaction, delete)


class KeepButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"qachat:chat-keep:(?P<chat>[a-z0-9-]{2,63})",
):
    """Calls ``/host delete`` off."""

    def __init__(self, chat_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Keep it",
                style=discord.ButtonStyle.secondary,
                custom_id=f"qachat:chat-keep:{chat_id}",
            )
        )
        self.chat_id = chat_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> KeepButton:
        """The button of a message sent before (a restart too)."""
        return cls(match["chat"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Leave the chat as it is."""

        async def keep(_services: Services) -> None:
            await interaction.response.edit_message(
                content=f"👍 {self.chat_id} is kept.", view=None
            )

        await as_moderator(interaction, keep)


def delete_view(chat_id: str) -> discord.ui.View:
    """The confirmation's buttons."""
    view = discord.ui.View(timeout=None)
    view.add_item(DeleteButton(chat_id))
    view.add_item(KeepButton(chat_id))
    return view


#: Registered with the bot so the buttons work on messages sent before a restart.
BUTTONS = (RetryButton, DeleteButton, KeepButton)
