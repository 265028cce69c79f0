"""The recap as one self-contained HTML page.

Generated from Jinja2 templates with autoescaping on, so participants' text is
always text, never markup or script. The page loads nothing: its CSS is inline,
the chart is a ``data:`` image, and a Content-Security-Policy allows that one stylesheet
(by its hash) and forbids scripts and any other request. User text carries ``dir="auto"`` so right-to-left answers
read correctly next to left-to-right ones.

The templates (``bot/render/templates``): ``page.html.j2`` is the skeleton of every
page (head, policy, stylesheet); ``recap.html.j2`` extends it with the recap and is
this page; the archive's recap page (``archive_recap.html.j2``, see
:mod:`bot.archive.pages`) extends ``recap.html.j2`` and overrides only its navigation,
back link and resources link, with its own stylesheet and policy.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from bot.core.recap import QuestionRecap, Quote, Recap, Voice
from bot.core.recap.text import clip
from bot.render.common import (
    NO_VOICES,
    OTHER_TAKEAWAYS,
    VOICES_TITLE,
    clock_time,
    count,
    duration,
    headline,
    jump_link,
    long_date,
    named,
    option_numbers,
    poll_status,
    poll_title,
    question_label,
    question_numbers,
    revision_time,
    split_links,
    takeaway_groups,
)


def _linked(text: str) -> Markup:
    """Escaped text with its http(s) links made clickable (each piece escaped on its own)."""
    if "://" not in text:
        return escape(text)
    parts = []
    for segment, is_link in split_links(text):
        if is_link:
            parts.append(
                Markup('<a href="{0}" rel="noopener noreferrer nofollow">{0}</a>').format(segment)
            )
        else:
            parts.append(escape(segment))
    return Markup("").join(parts)


@cache
def template_environment() -> Environment:
    """The Jinja2 environment of every HTML template (autoescaped; the archive's too)."""
    environment = Environment(
        loader=PackageLoader("bot.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    environment.filters["linked"] = _linked
    return environment


def template_source(name: str) -> str:
    """A file of the templates folder as it is, not rendered (stylesheets, scripts)."""
    environment = template_environment()
    assert environment.loader is not None
    return environment.loader.get_source(environment, name)[0]


@cache
def stylesheet() -> str:
    """The single page's CSS, inlined in it."""
    return template_source("recap_style.css.j2").strip()


def allowed_style(css: str) -> str:
    """The policy source that allows exactly this inline stylesheet and no other style."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


@cache
def policy() -> str:
    """The single page's Content-Security-Policy: its own inline stylesheet (by hash) and a
    ``data:`` chart, nothing else (no script at all, no style a participant could inject)."""
    return (
        f"default-src 'none'; style-src {allowed_style(stylesheet())}; img-src data:; "
        "base-uri 'none'"
    )


def _withheld(question: QuestionRecap) -> str:
    return (
        f"{count(question.withheld, 'answer')} from participants who opted out counted, not shown."
    )


def recap_context(
    recap: Recap,
    chart: bytes | None = None,
    *,
    anchor: Callable[[Quote], str] | None = None,
    profile: Callable[[int], str | None] | None = None,
) -> dict[str, Any]:
    """What the recap templates need (the single page and the archive's recap page).
    ``anchor`` gives each message its id on the page, when the page has them; ``profile`` a
    participant's public profile page, when there is one."""
    header = recap.header
    zone = header.timezone

    def answer_link(voice: Voice) -> str | None:
        """A voice's answer: its row on the page, else its message in Discord."""
        if anchor is not None:
            return f"#{anchor(voice.answer)}"
        return jump_link(header.guild_id, voice.channel_id, voice.answer.message_id)

    def time(moment: datetime) -> str:
        return clock_time(moment, zone)

    return {
        "r": recap,
        "h": header,
        "date": long_date(header),
        "length": duration(header.duration),
        "headline": headline(header),
        "opted_out": count(header.opted_out, "participant"),
        "chart": base64.b64encode(chart).decode("ascii") if chart else "",
        "time": time,
        "numbers": question_numbers,
        "hosts": named(header.hosts),
        "guests": named(header.guests),
        "qlabel": question_label,
        "withheld": _withheld,
        "anchor": anchor,
        "updated": revision_time(recap.revision, zone) if recap.revision else "",
        "takeaways": takeaway_groups(recap),
        "other_takeaways": OTHER_TAKEAWAYS,
        "voices_title": VOICES_TITLE,
        "no_voices": NO_VOICES,
        "answer_link": answer_link,
        "profile": profile or _no_profile,
        "clip": clip,
        "poll_title": poll_title,
        "poll_status": poll_status,
        "option_numbers": option_numbers,
    }


def _no_profile(user_id: int) -> str | None:
    """The single page links to no profile (they are pages of the archive)."""
    return None


def render_html(recap: Recap, chart: bytes | None = None) -> str:
    """The whole recap as one HTML page; ``chart`` (a PNG) is embedded when given."""
    template = template_environment().get_template("recap.html.j2")
    # Our own constants, not user text: written as they are.
    return template.render(
        csp=Markup(policy()),  # noqa: S704
        css=Markup(stylesheet()),  # noqa: S704
        **recap_context(recap, chart),
    )
