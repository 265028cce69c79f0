"""The people to learn from, read from storage: ``/chat people``, ``/chat profile``, a chat's
community over time (``/host stats`` and the archive's series pages), and which profiles the
archive publishes.

Each function reads what the core needs through the ports and applies the one consent filter
(:class:`bot.core.consent.Consent`: who opted out, who asked to be forgotten) by building its
model with the core's builder.
"""

from __future__ import annotations

from collections.abc import Collection, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.consent import Consent
from bot.core.engagement import topic_clauses, topic_words
from bot.core.errors import ChatNotFound
from bot.core.people import PEOPLE_LIMIT, RECENT_DAYS, PeopleFound, find_people
from bot.core.ports import AnswerStore, ChatStore, OccurrenceStore, ParticipantStore, PeopleStore
from bot.core.profiles import Profile, PublicProfile, Visibility, change_profile, public_profiles
from bot.core.series import Series, SeriesOccurrence, SeriesPart, series_from_parts, series_part
from bot.runtime.speed import collection_paused


class PeopleQueryStore(
    PeopleStore, ParticipantStore, ChatStore, OccurrenceStore, AnswerStore, Protocol
):
    """What the people queries read: profiles and engagement, consent and names, chats,
    occurrences and their answers."""


async def consent_of(store: ParticipantStore) -> Consent:
    """The consent filter (:class:`bot.core.consent.Consent`) as the store has it now: every
    recap and people query takes its people through it."""
    return Consent(frozenset(await store.opted_out()), await store.forgotten())


async def people_to_follow(
    store: PeopleQueryStore,
    now: datetime,
    *,
    topic: str = "",
    chat_id: str | None = None,
    chat_ids: Collection[str] | None = None,
) -> PeopleFound:
    """``/chat people``: the people whose answers on ``topic`` drew the most engagement, in
    ``chat_id`` or in every chat of ``chat_ids`` (the server's; None: every stored chat).
    Without a topic: the most engaging voices of the last :data:`RECENT_DAYS` days."""
    words = topic_words(topic)
    if chat_id is not None:
        known = {spec.id for spec in await store.chat_specs(active_only=False)}
        if chat_id not in known or (chat_ids is not None and chat_id not in chat_ids):
            raise ChatNotFound(f"no chat {chat_id!r} here; see /chat list")
    since = None if words else now - timedelta(days=RECENT_DAYS)
    infos = {
        info.occurrence_id: info
        for info in await store.occurrence_infos(since=since)
        if (chat_id is None or info.chat_id == chat_id)
        and (chat_ids is None or info.chat_id in chat_ids)
    }
    consent = await consent_of(store)
    clauses = None
    if words:
        questions = {
            (info.occurrence_id, number): text
            for info in infos.values()
            for number, text in enumerate(info.questions, start=1)
        }
        clauses = topic_clauses(words, questions)
    rows = await store.engagement_rows(
        infos,
        clauses,
        hidden=consent.hidden,
        forgotten=consent.forgotten,
        limit=PEOPLE_LIMIT,
    )
    names = await store.participant_names({a.author_id for a in rows.answers})
    return find_people(rows, words, infos, consent, names, chat_id=chat_id or "", since=since)


@dataclass(frozen=True)
class ProfileSaved:
    """What ``/chat profile`` stored, and why a public profile may still not show."""

    profile: Profile
    #: The person opted out of being named: no page until they opt in again.
    opted_out: bool


async def set_profile(
    store: PeopleQueryStore,
    user_id: int,
    name: str,
    visibility: Visibility,
    now: datetime,
    *,
    bio: str | None = None,
    link: str | None = None,
) -> ProfileSaved:
    """``/chat profile``: check and store the change (:class:`bot.core.profiles.ProfileRefused`
    says what is wrong with a bio or link, and nothing is stored then)."""
    profile = change_profile(await store.profile(user_id), user_id, visibility, bio, link, now)
    await store.save_profile(profile, name)
    return ProfileSaved(profile, user_id in await store.opted_out())


async def published_profiles(store: PeopleQueryStore) -> list[PublicProfile]:
    """The profiles that get a page in the archive (consent applied)."""
    profiles = await store.profiles()
    names = await store.participant_names([p.user_id for p in profiles if p.public])
    return public_profiles(profiles, names, await consent_of(store))


async def chat_series(
    store: PeopleQueryStore,
    chat_id: str,
    *,
    parts: MutableMapping[int, SeriesPart] | None = None,
    changed: Collection[int] | None = None,
) -> Series:
    """A chat's community over its past occurrences (those that started and are over).

    ``parts`` (kept by the caller between calls, with the same consent) holds each
    occurrence's part of the series; only the occurrences in ``changed`` and those not kept
    yet are read again (``changed`` None: all of them)."""
    specs = {spec.id: spec for spec in await store.chat_specs(active_only=False)}
    if chat_id not in specs:
        raise ChatNotFound(f"no chat {chat_id!r} in the database; see /chat list")
    past = [
        o
        for o in await store.occurrences(chat_id=chat_id)
        if o.run.started and o.run.phase.finished
    ]
    kept = parts if parts is not None else {}
    consent = await consent_of(store)
    fresh = []
    for o in past:
        occurrence_id = o.run.occurrence_id
        if changed is None or occurrence_id in changed or occurrence_id not in kept:
            fresh.append(SeriesOccurrence(o.run, o.spec, await store.answers(occurrence_id)))
    with collection_paused():
        for occurrence in fresh:
            kept[occurrence.run.occurrence_id] = series_part(occurrence, consent)
    chosen = [kept[o.run.occurrence_id] for o in past]
    names = await store.participant_names({a for part in chosen for a in part.authors})
    with collection_paused():
        return series_from_parts(specs[chat_id], chosen, consent, names)
