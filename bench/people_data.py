"""The data of the people benchmark: a million answers in many chats, and a weekly chat.

:func:`fill_million` writes answers with plain ``executemany`` (the bot's write path is the
ingest benchmark's): 20 weekly chats, each occurrence asking five questions of its chat's bank,
words drawn Zipf-like from made-up words with the topic words at chosen ranks, reactions on a
third of the answers and a reply to one in ten. :func:`fill_series` stores a weekly chat's
occurrences through the store, a community of regulars, people who drift in and out and
newcomers.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.answers import Answer, AnswerSource
from bot.core.spec import ChatSpec, QuestionSpec
from bot.storage import SqliteStore
from bot.storage._convert import ts
from tests.unit.recap.generate import finished_run

START = datetime(2024, 1, 2, 1, 0, tzinfo=UTC)
CHATS = 20
ANSWERS_PER_OCCURRENCE = 500
#: Each chat's bank of questions; an occurrence asks five of them.
QUESTION_BANK = 60
QUESTIONS = (
    "Who is in your learning network?",
    "What did you try in class this week?",
    "Which podcast or newsletter do you keep?",
    "What will you read next?",
    "Who will you reach out to?",
)
VOCABULARY = 5_000
#: Topic words and their rank in the vocabulary (1: the most written word): the most common,
#: "podcast", is in about one answer in twenty.
RANKED = {
    "podcast": 40,
    "mentor": 60,
    "newsletter": 90,
    "feedback": 150,
    "colleague": 250,
    "café": 300,
    "rubric": 400,
    "coaching": 700,
    "résumé": 1_200,
    "naïve": 2_000,
    "crème": 3_500,
}
#: The topics asked: common and rare words, two words, accents, a word of the questions
#: ("learning" is in one question of twelve), made-up words by their rank, a word nobody wrote.
TOPICS = [
    "podcast",
    "mentor",
    "newsletter",
    "feedback",
    "colleague",
    "rubric",
    "coaching",
    "cafe",
    "resume",
    "naive",
    "crème",
    "podcast mentor",
    "rubric feedback",
    "learning",
    "learning podcast",
    "#20",
    "#500",
    "#4000",
    "#10 #30",
    "zeppelin",
]


def vocabulary(seed: int = 3) -> list[str]:
    """:data:`VOCABULARY` made-up words (none the start of another, so a topic matches the
    word it names), most written first, with the topic words at their ranks."""
    chance = random.Random(seed)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words: list[str] = []
    taken: set[str] = set()
    while len(words) < VOCABULARY:
        word = "".join(chance.choice(syllables) for _ in range(chance.randint(3, 4)))
        if word not in taken:
            taken.add(word)
            words.append(word)
    for word, rank in RANKED.items():
        words[rank - 1] = word
    return words


def topic(text: str, words: list[str]) -> str:
    """A topic with its ``#rank`` made-up words spelled out."""
    return " ".join(
        words[int(part[1:]) - 1] if part.startswith("#") else part for part in text.split()
    )


def _questions(chat: int, words: list[str]) -> list[str]:
    """A chat's question bank: one question in twelve has "learning", some a topic word."""
    chance = random.Random(chat)
    bank = []
    for number in range(QUESTION_BANK):
        picked = chance.sample(words[:2_000], 4)
        lead = "How does learning" if number % 12 == 0 else "How do"
        bank.append(f"{lead} {' '.join(picked)} shape your week?")
    return bank


def _spec(
    chat: int, *, repeat: str | None = None, questions: tuple[str, ...] = QUESTIONS
) -> ChatSpec:
    return ChatSpec(
        id=f"chat{chat}",
        title=f"Chat {chat}",
        hashtag=f"#chat{chat}",
        channel=800_000_000 + chat,
        timezone="America/Chicago",
        start=datetime(2024, 1, 1, 19, 0, tzinfo=UTC).replace(tzinfo=None),  # local: naive
        questions=tuple(QuestionSpec(q) for q in questions),
        repeat=repeat,
        hosts=(1,),
    )


class _Writer:
    """Answer texts: words drawn Zipf-like from the vocabulary (rank r about 1/r)."""

    def __init__(self, words: list[str], seed: int) -> None:
        self.words = words
        self.chance = random.Random(seed)
        weights = [1 / rank for rank in range(1, len(words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def text(self) -> str:
        count = self.chance.randint(8, 30)
        return " ".join(self.chance.choices(self.words, cum_weights=self.cumulative, k=count))


def start_of(number: int) -> datetime:
    """Occurrence ``number`` (from 0): each chat weekly, the chats an hour apart."""
    return START + timedelta(weeks=number // CHATS, hours=number % CHATS)


def fill_million(database: Path, answers: int, seed: int = 11) -> int:
    """``answers`` answers (and a reply for one in ten, reactions on a third) in occurrences
    of :data:`ANSWERS_PER_OCCURRENCE` across :data:`CHATS` weekly chats, each occurrence asking
    five questions of its chat's bank; returns the occurrences. Plain ``executemany`` (the
    bot's write path is the ingest benchmark's)."""
    chance = random.Random(seed)
    words = vocabulary()
    writer = _Writer(words, seed)
    occurrences = max(1, answers // ANSWERS_PER_OCCURRENCE)
    people = max(50, answers // 200)
    banks = [_questions(chat, words) for chat in range(CHATS)]
    with closing(sqlite3.connect(database, isolation_level=None)) as connection:
        connection.execute("BEGIN")
        for chat in range(CHATS):
            spec = _spec(chat)
            connection.execute(
                "INSERT INTO chats VALUES (?, NULL, ?, 'bench', 1, ?)",
                (spec.id, spec.to_json(), ts(START)),
            )
        rows_of_occurrences = []
        for number in range(occurrences):
            chat, week = number % CHATS, number // CHATS
            asked = tuple(banks[chat][(week * 5 + k) % QUESTION_BANK] for k in range(5))
            spec_json = _spec(chat, questions=asked).to_json()
            rows_of_occurrences.append(
                (number + 1, f"chat{chat}", ts(start_of(number)), spec_json, ts(START))
            )
        connection.executemany(
            "INSERT INTO occurrences (id, chat_id, start_at, phase, spec_json, created_at) "
            "VALUES (?, ?, ?, 'recapped', ?, ?)",
            rows_of_occurrences,
        )
        connection.executemany(
            "INSERT INTO participants (user_id, name, first_seen) VALUES (?, ?, ?)",
            [(10_000 + n, f"Learner {n}", ts(START)) for n in range(people)],
        )
        rows: list[tuple[object, ...]] = []
        reactions: list[tuple[int, int, str]] = []
        message_id = 1_000_000_000
        for index in range(answers):
            number = index % occurrences
            channel = 800_000_000 + number % CHATS
            at = start_of(number) + timedelta(seconds=index // occurrences)
            message_id += 1
            author = 10_000 + chance.randrange(people)
            reacted = chance.sample(range(people), chance.choice((0, 0, 1, 2, 4)))
            rows.append(
                (
                    message_id,
                    0,
                    number + 1,
                    channel,
                    author,
                    1 + index % 5,
                    writer.text(),
                    "prefix",
                    ts(at),
                    len(reacted),
                    None,
                )
            )
            reactions += [(message_id, 10_000 + user, "👍") for user in reacted]
            if chance.random() < 0.1:
                message_id += 1
                rows.append(
                    (
                        message_id,
                        0,
                        number + 1,
                        channel,
                        10_000 + chance.randrange(people),
                        None,
                        "agreed, tell me more",
                        "conversation",
                        ts(at + timedelta(seconds=1)),
                        0,
                        message_id - 1,
                    )
                )
            if len(rows) >= 20_000:
                _insert(connection, rows, reactions)
                rows, reactions = [], []
        _insert(connection, rows, reactions)
        connection.execute("COMMIT")
    return occurrences


def _insert(
    connection: sqlite3.Connection,
    rows: list[tuple[object, ...]],
    reactions: list[tuple[int, int, str]],
) -> None:
    connection.executemany(
        "INSERT INTO answers (message_id, part, occurrence_id, channel_id, author_id, question, "
        "content, source, created_at, reactions, reply_to) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.executemany("INSERT OR IGNORE INTO reactions VALUES (?, ?, ?)", reactions)


async def fill_series(
    store: SqliteStore, occurrences: int, per_occurrence: int, seed: int = 5
) -> str:
    """A weekly chat of ``occurrences`` occurrences with ``per_occurrence`` answers each: a core
    of regulars, people who drift in and out, newcomers every week."""
    chance = random.Random(seed)
    spec = _spec(0, repeat="weekly", questions=QUESTIONS)
    await store.save_chat(spec)
    regulars = list(range(20_000, 20_030))
    drifting = list(range(30_000, 30_400))
    newcomer = 40_000
    message_id = 5_000_000_000
    writer = _Writer(vocabulary()[:400], seed)
    for week in range(occurrences):
        start = START + timedelta(weeks=week)
        run = await store.create_occurrence(
            spec, replace(finished_run(spec, start), occurrence_id=0)
        )
        people = chance.sample(regulars, 12) + chance.sample(drifting, 10)
        people += list(range(newcomer, newcomer + 3))
        newcomer += 3
        answers = []
        for index in range(per_occurrence):
            message_id += 1
            author = people[index % len(people)]
            text = writer.text()
            if chance.random() < 0.05:
                text += f" https://example.org/{chance.randrange(50)}"
            answers.append(
                _answer(
                    message_id,
                    run.occurrence_id,
                    spec,
                    author,
                    1 + index % 5,
                    text,
                    start + timedelta(minutes=8 + index % 40),
                )
            )
        await store.upsert_answers(answers)
    return spec.id


def _answer(
    message_id: int,
    occurrence: int,
    spec: ChatSpec,
    author: int,
    question: int,
    text: str,
    at: datetime,
) -> Answer:
    return Answer(
        message_id,
        0,
        occurrence,
        spec.channel,
        author,
        f"Learner {author}",
        question,
        text,
        AnswerSource.PREFIX,
        at,
    )
