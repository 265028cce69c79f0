"""Text helpers of the recap: links, sentences, questions and the words themes are made of.

Pure functions over participants' text. They never raise, whatever the text
(a 4,000-character answer, RTL script, emoji, markup), and they run in time
linear in the length of the text.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

#: http(s) links as people paste them; trailing punctuation is trimmed by :func:`find_links`.
_URL = re.compile(r"https?://[^\s<>\"'`|\[\]{}]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_~)]}>…"

#: Query parameters that only track where a click came from; dropped from shared links.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "si",
        "s_cid",
        "spm",
        "usp",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "vero_id",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "wickedid",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def find_links(text: str) -> list[tuple[int, int, str]]:
    """Every http(s) link in ``text`` as (start, end, link), trailing punctuation trimmed."""
    found: list[tuple[int, int, str]] = []
    for match in _URL.finditer(text):
        link = match.group(0)
        while link and link[-1] in _TRAILING:
            # Keep a closing parenthesis that closes one opened inside the link (Wikipedia).
            if link[-1] == ")" and link.count("(") >= link.count(")"):
                break
            link = link[:-1]
        if len(link) > len("https://"):
            found.append((match.start(), match.start() + len(link), link))
    return found


def normalise_link(link: str) -> str | None:
    """The canonical form of a shared link, so one resource is listed once.

    Lower-case scheme and host, no default port, no fragment, no tracking
    parameters (``utm_*``, ``fbclid``, ``ref``, ``si`` …), the remaining query
    sorted, no trailing slash. None when it is not an http(s) link with a host.
    """
    try:
        parts = urlsplit(link.strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:  # credentials never go on a reading list
        return None
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMS
    )
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote), ""))


# --- sentences ---------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*(?=\s|$)|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (start, end), never splitting inside a link."""
    links = [(start, end) for start, end, _ in find_links(text)]
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if any(ls <= match.start() < le for ls, le in links):
            continue
        end = match.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentence_around(text: str, start: int, end: int, *, limit: int = 240) -> str:
    """What ``text`` says about the link at ``text[start:end]``, without the links: the whole
    message when it is short, else the sentence around the link (and the one before it when
    that sentence says little on its own, as "Here:" does)."""
    whole = _without_links(text)
    if len(whole) <= limit:
        return whole
    spans = sentences(text)
    index = next((i for i, (s, e) in enumerate(spans) if s <= start < e), None)
    if index is None:
        return ""
    first = index
    around = _without_links(text[spans[index][0] : spans[index][1]])
    if len(around) < 40 and index > 0:
        first = index - 1
        around = _without_links(text[spans[first][0] : spans[index][1]])
    return clip(around, limit)


def _without_links(text: str) -> str:
    kept, position = "", 0
    for start, end, _ in find_links(text):
        kept += text[position:start] + " "
        position = end
    kept += text[position:]
    kept = re.sub(r"\s+", " ", kept).strip()
    kept = re.sub(r"[\s,;:]+([.,;:!?)\]])", r"\1", kept)  # "method, )" -> "method)"
    kept = re.sub(r"\(\s*\)|\[\s*\]", "", kept).strip()
    return kept.rstrip(":-–—,;( ").strip()


_MENTION = re.compile(r"@(everyone|here)\b|<(@[!&]?|#)(?=\d)", re.IGNORECASE)
ZERO_WIDTH_SPACE = "\u200b"


def defuse_mentions(text: str) -> str:
    """``text`` with ``@everyone``, ``@here`` and ``<@id>``/``<@&id>``/``<#id>`` mentions broken
    by a zero-width space, so that even a copy-paste of the recap pings nobody."""
    if "@" not in text and "<" not in text:
        return text
    return _MENTION.sub(
        lambda m: (
            f"@{ZERO_WIDTH_SPACE}{m.group(1)}" if m.group(1) else f"<{m.group(2)}{ZERO_WIDTH_SPACE}"
        ),
        text,
    )


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


# --- questions participants asked --------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_INTERROGATIVES = _words(
    "how what why when where who whom whose which does do did is are was were can could "
    "would should will shall has have had may might any anyone anybody ¿"
)
_ADDRESSED = re.compile(r"\b(?:anyone|anybody|someone|you|your|y'all|folks)\b", re.IGNORECASE)


def asked_questions(text: str) -> list[str]:
    """The questions asked in ``text``: sentences ending with "?" that ask something.

    A sentence counts when it starts with a question word (after a lead-in such
    as "Question for everyone:") or addresses others ("anyone", "you"), so an
    exclamation like "and it worked??" is not taken for a question.
    """
    found: list[str] = []
    for start, end in sentences(text):
        sentence = _without_links(text[start:end]) if "http" in text[start:end] else None
        sentence = (sentence if sentence is not None else text[start:end]).strip()
        if not sentence.rstrip("\"')]").endswith("?"):
            continue
        clause = sentence.rsplit(":", 1)[-1].strip()
        words = re.findall(r"[^\W\d_][\w'’]*|¿", clause.lower())
        if len(words) < 3:
            continue
        if (
            words[0].lstrip("¿") in _INTERROGATIVES
            or clause.startswith("¿")
            or (_ADDRESSED.search(clause))
        ):
            found.append(clip(sentence, 300))
    return found


# --- the words themes are made of --------------------------------------------------------

#: English function words and chat filler that never make a theme.
STOP_WORDS = _words(
    """
    a about above after again against all almost also although always am among an and another
    any anyone anything anyway are aren't around as at away back be because been before being
    below best better between big both but by can can't cannot could couldn't day did didn't do
    does doesn't doing don't done down during each either else enough even ever every everyone
    everything few first for from further get gets getting give go goes going gone good got great
    had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
    himself his honestly how how's however i i'd i'll i'm i've if in into is isn't it it's its
    itself just keep kind know last least less let let's like little lot lots made make makes
    many may maybe me mean might mine more most much must mustn't my myself need never new next
    no nor not nothing now of off often oh ok okay old on once one only or other others ought our
    ours ourselves out over own part pretty put quite rather really right said same say says see
    seem she she'd she'll she's should shouldn't since so some someone something sometimes soon
    still such sure take than thank thanks that that's the their theirs them themselves then
    there there's these they they'd they'll they're they've thing things think this those though
    through to today together tonight too try trying two under until up upon us use used using
    very via want was wasn't way we we'd we'll we're we've well went were weren't what what's
    whatever when when's where where's whether which while who who's whom whose why why's will
    with within without won't would wouldn't yeah yes yet you you'd you'll you're you've your
    yours yourself yourselves lol lmao haha yep nope hi hello hey everyone all y'all via etc
    totally literally basically actually definitely probably especially somehow every
    """
)

_TOKEN = re.compile(r"[^\W_](?:[\w'-]*[^\W_])?|[^\w\s]")
_NOISE = re.compile(r"<(?:@[!&]?|#|:\w+:|a:\w+:|t:)[^>]*>")


#: Abbreviations folded into the word they stand for (and never shown as a theme's name).
ABBREVIATIONS = {"min": "minute", "mins": "minute", "hr": "hour", "hrs": "hour"}


def stem(word: str) -> str:
    """A light plural folding, so "podcasts" and "podcast" are one theme."""
    if word in ABBREVIATIONS:
        return ABBREVIATIONS[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """``text`` lower-cased as words and punctuation marks, links and mentions replaced by a
    full stop (so no phrase runs across them)."""
    cleaned = text.lower().replace("’", "'")
    if "://" in cleaned:
        cleaned = _URL.sub(" . ", cleaned)
    if "<" in cleaned:
        cleaned = _NOISE.sub(" . ", cleaned)
    return _TOKEN.findall(cleaned)


def content_word(token: str, excluded: frozenset[str]) -> str | None:
    """The word a token counts as for themes, or None for punctuation, stop words, numbers,
    answer labels ("a1") and ``excluded`` words (the chat's hashtag)."""
    if token.endswith("'s"):
        token = token[:-2]
    first = token[:1]
    if (
        len(token) < 2
        or not first.isalpha()
        or token in STOP_WORDS
        or token in excluded
        or (first in "aq" and token[1:].isdigit())
    ):
        return None
    return token


def term_runs(text: str, excluded: frozenset[str]) -> list[list[str]]:
    """The content words of ``text`` (see :func:`content_word`), in runs not broken by stop
    words or punctuation (so "book club" is a phrase and "club, book" is not)."""
    runs: list[list[str]] = []
    run: list[str] = []
    for token in tokens(text):
        word = content_word(token, excluded)
        if word is None:
            if run:
                runs.append(run)
                run = []
            continue
        run.append(word)
    if run:
        runs.append(run)
    return runs
