"""The recap as one self-contained HTML page.

Generated from a Jinja2 template with autoescaping on, so participants' text is
always text, never markup or script. The page loads nothing: its CSS is inline,
the chart is a ``data:`` image, and a Content-Security-Policy forbids scripts and
any other request. User text carries ``dir="auto"`` so right-to-left answers
read correctly next to left-to-right ones.
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from bot.core.recap import Person, QuestionRecap, Recap
from bot.render.common import (
    clock_time,
    count,
    duration,
    headline,
    long_date,
    person_label,
    question_label,
    question_numbers,
    split_links,
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


def _withheld(question: QuestionRecap) -> str:
    return (
        f"{count(question.withheld, 'answer')} from participants who opted out counted, not shown."
    )


def _label(person: Person) -> str:
    return person_label(person)


def recap_context(recap: Recap, chart: bytes | None = None) -> dict[str, Any]:
    """What the recap templates need (the single page and the archive's recap page)."""
    header = recap.header
    zone = header.timezone

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
        "label": _label,
        "qlabel": question_label,
        "withheld": _withheld,
    }


def render_html(recap: Recap, chart: bytes | None = None) -> str:
    """The whole recap as one HTML page; ``chart`` (a PNG) is embedded when given."""
    template = template_environment().get_template("recap.html.j2")
    return template.render(**recap_context(recap, chart))
