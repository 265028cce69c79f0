"""The recap model: what a learner finds in it, built from messages written out in the test."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core.plan import StepKind, StepStatus
from bot.core.recap import ANONYMOUS, QuestionStatus, build_recap
from bot.core.run import Record
from tests.unit.recap.generate import START, finished_run
from tests.unit.recap.talk import Talk, small_spec

# --- header -------------------------------------------------------------------------------


def test_header_counts_people_answers_and_first_timers() -> None:
    """The headline: who came, how many answered, how many were new, who hosted."""
    talk = Talk()
    talk.say("ana", "hi all", question=None, answer=False, minute=1)
    talk.say("ana", "my mentor and a podcast", minute=9)
    talk.say("ben", "my team", minute=10)
    talk.say("cy", "the library crew", question=2, minute=17, late=True)
    recap = talk.recap(first_timers={talk.user("ben"), 999})

    header = recap.header
    assert (header.title, header.hashtag, header.start) == ("Ed Chat", "#EdChat", START)
    assert header.duration == timedelta(minutes=32)  # 3 questions x 8 min + closing
    assert (header.participants, header.answers, header.late_answers) == (3, 3, 1)
    assert header.first_timers == 1  # 999 did not take part in this occurrence
    assert header.conversation == 1
    assert [host.user_id for host in header.hosts] == [9]


def test_the_start_is_when_the_intro_was_actually_posted() -> None:
    """A chat started 5 minutes late by a moderator shows its real start."""
    spec = small_spec()
    run = finished_run(spec)
    moved = START + timedelta(minutes=5)
    run = replace(
        run,
        steps=tuple(replace(s, due=moved) if s.kind is StepKind.INTRO else s for s in run.steps),
    )
    assert build_recap(spec, run, []).header.start == moved


# --- per question -------------------------------------------------------------------------


def test_questions_count_answers_and_answerers_and_mark_skipped_ones() -> None:
    """Every question of the plan is listed; a skipped one says so."""
    talk = Talk()
    talk.say("ana", "first", minute=9)
    talk.say("ana", "second thought", minute=10)
    talk.say("ben", "mine", minute=11)
    talk.say("cy", "chatting", minute=11, answer=False)
    run = finished_run(talk.spec)
    run = replace(
        run,
        steps=tuple(
            replace(s, status=StepStatus.SKIPPED, note="skipped by a moderator")
            if s.key == "q2"
            else s
            for s in run.steps
        ),
    )
    recap = build_recap(talk.spec, run, talk.answers)

    q1, q2, q3 = recap.questions
    assert (q1.answers, q1.answerers, q1.status) == (3, 2, QuestionStatus.POSTED)
    assert [q.text for q in q1.transcript] == ["first", "second thought", "mine", "chatting"]
    assert (q2.status, q2.note, q2.posted_at) == (
        QuestionStatus.SKIPPED,
        "skipped by a moderator",
        None,
    )
    assert q3.answers == 0


def test_highlights_are_the_three_most_reacted_answers_ties_to_the_earliest() -> None:
    """Most reactions first; among equals, whoever said it first."""
    talk = Talk()
    talk.say("ana", "two reactions, early", minute=9, reactions=2)
    talk.say("ben", "five reactions", minute=10, reactions=5)
    talk.say("cy", "two reactions, later", minute=11, reactions=2)
    talk.say("dee", "two reactions, last", minute=12, reactions=2)
    talk.say("eve", "no reactions", minute=13)
    talk.say("fay", "a chat message with many reactions", minute=13, reactions=9, answer=False)

    highlights = talk.recap().questions[0].highlights
    assert [q.text for q in highlights] == [
        "five reactions",
        "two reactions, early",
        "two reactions, later",
    ]


def test_no_reactions_means_no_highlights() -> None:
    talk = Talk()
    talk.say("ana", "quiet answer", minute=9)
    assert talk.recap().questions[0].highlights == ()


def test_themes_count_answers_and_leave_out_stop_words_and_the_hashtag() -> None:
    """Key phrases with how many answers mention them; never "the", "and" or #EdChat."""
    talk = Talk()
    texts = [
        "The #EdChat book club and my podcasts keep me going",
        "A book club at school, and #edchat of course",
        "I listen to podcasts on the commute #EdChat",
        "Mostly a podcast and the book club",
        "My mentor, and the #EdChat crowd",
    ]
    for minute, text in enumerate(texts, start=9):
        talk.say(f"p{minute}", text, minute=minute)

    themes = {t.phrase: t.answers for t in talk.recap().questions[0].themes}
    assert themes["book club"] == 3
    assert themes["podcasts"] == 3  # "podcast" and "podcasts" are one theme
    words = {word for phrase in themes for word in phrase.split()}
    assert not words & {"the", "and", "my", "edchat", "#edchat", "a", "of"}


def test_themes_leave_out_the_words_of_the_question_itself() -> None:
    """Answers to "Who is in your learning network?" all say "network"; that is no theme."""
    talk = Talk()
    for minute in range(9, 13):
        talk.say(f"p{minute}", "my network is a mentor and a reading group", minute=minute)
    phrases = [t.phrase for t in talk.recap().questions[0].themes]
    assert phrases
    assert not any("network" in phrase or "learning" in phrase for phrase in phrases)


def test_representative_is_the_most_typical_and_contrasting_the_odd_one_out() -> None:
    """Three answers about podcasts and one about gardening: the gardener is the other view."""
    talk = Talk()
    talk.say("ana", "podcasts on the commute about teaching and learning", minute=9)
    talk.say("ben", "teaching podcasts on my commute every single morning", minute=10)
    talk.say("cy", "learning podcasts about teaching while commuting", minute=11)
    talk.say("dee", "gardening with students outside after lunch builds patience", minute=12)
    talk.say("eve", "ok", minute=13)

    question = talk.recap().questions[0]
    assert question.representative is not None
    assert question.representative.author in {"ana", "ben", "cy"}
    assert question.contrasting is not None
    assert question.contrasting.author == "dee"


def test_liveliest_side_conversation_is_the_answer_with_most_replies() -> None:
    talk = Talk()
    quiet = talk.say("ana", "one reply here", minute=9)
    busy = talk.say("ben", "two replies here", minute=10)
    talk.say("cy", "agreed", minute=11, reply_to=busy, answer=False)
    talk.say("dee", "same", minute=12, reply_to=busy, answer=False)
    talk.say("eve", "hmm", minute=12, reply_to=quiet, answer=False)

    side = talk.recap().questions[0].conversation
    assert side is not None
    assert (side.answer.author, side.replies) == ("ben", 2)
    assert [(q.author, q.text, q.replying_to) for q in side.shown] == [
        ("cy", "agreed", "ben"),
        ("dee", "same", "ben"),
    ]


def test_late_answers_and_edits_are_marked() -> None:
    talk = Talk()
    talk.say("ana", "on time", minute=9)
    talk.say("ben", "after the closing", question=3, minute=40, late=True, edited=True)
    recap = talk.recap()
    [late] = recap.late_answers
    assert (late.author, late.late, late.edited) == ("ben", True, True)
    assert recap.questions[2].late_answers == 1


# --- resources and open questions ----------------------------------------------------------


def test_resources_are_normalised_deduplicated_and_credit_the_first_sharer() -> None:
    """One entry per resource however it was pasted, with who shared it first and where."""
    talk = Talk()
    talk.say(
        "ana",
        "This changed my year. Read https://Example.org/Guide/?utm_source=x&b=2&a=1#part now",
        minute=9,
    )
    talk.say("ben", "Seconding https://example.org/Guide?a=1&b=2&fbclid=zz!", minute=10)
    talk.say("ana", "again: https://example.org:443/Guide/?b=2&a=1&si=q", question=2, minute=17)
    talk.say("cy", "chatting about http://other.example/x.", minute=18, answer=False)

    first, other = talk.recap().resources
    assert first.url == "https://example.org/Guide?a=1&b=2"
    assert (first.shared_by, first.sharers, first.shares, first.question) == ("ana", 2, 3, 1)
    assert first.context == "This changed my year. Read now"
    assert other.url == "http://other.example/x"
    assert talk.recap().header.resources == 2


def test_open_questions_are_questions_nobody_replied_to() -> None:
    talk = Talk()
    asked = talk.say("ana", "Great chat. Does anyone have a rubric for this?", minute=9)
    answered = talk.say("ben", "How do you all find the time?", minute=10, answer=False)
    talk.say("cy", "early mornings", minute=11, reply_to=answered, answer=False)
    talk.say("dee", "I tried it and it worked??", minute=12)

    open_questions = talk.recap().open_questions
    assert [(q.author, q.text, q.message_id) for q in open_questions] == [
        ("ana", "Does anyone have a rubric for this?", asked)
    ]


def test_prompts_and_the_moderation_timeline() -> None:
    """Reflection prompts come from the chat file; controls and late posts are on the timeline."""
    spec = small_spec()
    run = finished_run(spec)
    run = replace(
        run,
        steps=tuple(replace(s, late=True) if s.key == "q2" else s for s in run.steps),
    )
    records = [Record("pause", "417", START + timedelta(minutes=12), "during Q1")]
    recap = build_recap(spec, run, [], timeline=records)
    assert recap.prompts == ("What will you try first?",)
    assert [(e.action, e.actor, e.detail) for e in recap.timeline] == [
        ("pause", "417", "during Q1"),
        ("posted late", "bot", "Q2"),
    ]


# --- privacy -----------------------------------------------------------------------------


def test_opted_out_participants_are_counted_but_never_named_or_quoted() -> None:
    """Their answers count; their words, links, questions and name appear nowhere."""
    talk = Talk()
    secret = talk.say(
        "zed", "zebras and https://zed.example/secret Does anyone know?", minute=9, reactions=9
    )
    mention = f"<@{talk.user('zed')}>"
    talk.say("ana", f"Hi zed, great point {mention}", minute=10, reply_to=secret, answer=False)
    talk.say("ben", "zebras are great", minute=11)
    talk.say("zed", "zebras again", minute=12, reply_to=secret, answer=False)
    hidden = {talk.user("zed")}
    recap = talk.recap(opted_out=hidden)

    assert recap.header.participants == 3
    assert recap.header.opted_out == 1
    question = recap.questions[0]
    assert (question.answers, question.withheld) == (2, 1)
    shown = [(q.author, q.text) for q in question.transcript]
    assert shown == [
        ("ana", f"Hi {ANONYMOUS}, great point {ANONYMOUS}"),
        ("ben", "zebras are great"),
    ]
    assert question.transcript[0].replying_to == ANONYMOUS
    assert [q.author for q in question.highlights] == []
    assert recap.resources == ()
    assert recap.open_questions == ()
    assert all("zed" not in t.phrase for t in question.themes)


def test_deleted_messages_never_appear() -> None:
    talk = Talk()
    talk.say("ana", "kept", minute=9)
    talk.say("ben", "regretted https://gone.example/x ?", minute=10, deleted=True, reactions=3)
    recap = talk.recap()
    assert [q.text for q in recap.questions[0].transcript] == ["kept"]
    assert recap.questions[0].answers == 1
    assert recap.resources == ()
    assert recap.header.participants == 1


def test_mentions_in_quotes_are_defused() -> None:
    """Even copied out of the recap, "@everyone" or "<@123>" pings nobody."""
    talk = Talk()
    talk.say("ana", "@everyone look, @here too, <@123> and <@&45>", minute=9)
    [quote] = talk.recap().questions[0].transcript
    assert "@everyone" not in quote.text
    assert "@here" not in quote.text
    assert "<@1" not in quote.text
    assert "<@&4" not in quote.text
    assert quote.text.replace("\u200b", "") == "@everyone look, @here too, <@123> and <@&45>"
