"""The archive's pages, from autoescaping Jinja2 templates (``bot/render/templates/archive_*``).

Every page extends ``page.html.j2``: the index, resources and search pages through
``archive_base.html.j2``; a recap's page (``archive_recap.html.j2``) extends the single-file
recap's template (``recap.html.j2``, see :mod:`bot.render.html_page`) and adds only the
archive's navigation, its links back, and an id on every message.

Every page shares one stylesheet, inlined and allowed by its hash in the page's
Content-Security-Policy (no ``'unsafe-inline'``): nothing else may style, and no inline
script may run. Only the search and resources pages run scripts, and only the archive's
own files (``script-src 'self'``, which a page opened from disk matches for the files
next to it). Recap pages embed their chart as a ``data:`` image, as the single-file recap does.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from markupsafe import Markup

from bot.archive.entries import Entry, SharedResource, anchor, day
from bot.core.recap import Recap
from bot.render.common import (
    count,
    duration,
    long_date,
    question_label,
    revision_time,
)
from bot.render.html_page import (
    allowed_style,
    recap_context,
    template_environment,
    template_source,
)

#: Scripts copied next to the pages as they are (name in the site, template).
SCRIPTS = {
    "search.js": "archive_search.js.j2",
    "resources.js": "archive_resources.js.j2",
}


@cache
def stylesheet() -> str:
    """The archive's CSS, as inlined in every page."""
    return template_source("archive_style.css.j2").strip()


def script(name: str) -> str:
    """One of :data:`SCRIPTS`, as written to the site."""
    return template_source(SCRIPTS[name])


def content_security_policy(*, scripts: bool = False, images: bool = False) -> str:
    """The page's policy: nothing but the inline stylesheet (by hash), plus the archive's own
    script files or ``data:`` images when the page needs them."""
    policy = ["default-src 'none'", f"style-src {allowed_style(stylesheet())}"]
    if scripts:
        policy.append("script-src 'self'")
    if images:
        policy.append("img-src data:")
    policy.append("base-uri 'none'")
    return "; ".join(policy)


def _render(template: str, *, current: str, scripts: bool = False, **context: object) -> str:
    return (
        template_environment()
        .get_template(template)
        .render(
            # Our own constants, not user text: written as they are.
            csp=Markup(content_security_policy(scripts=scripts, images=bool(context.get("chart")))),  # noqa: S704
            css=Markup(stylesheet()),  # noqa: S704
            current=current,
            **context,
        )
    )


def _chats(number: int) -> str:
    return count(number, "chat")


def render_index(entries: Sequence[Entry], resources: int) -> str:
    """``index.html``: ``entries`` newest first."""
    return _render(
        "archive_index.html.j2",
        current="index",
        entries=entries,
        chats=_chats(len(entries)),
        resources=count(resources, "resource"),
        date=long_date,
        length=lambda header: duration(header.duration),
        updated=lambda entry: revision_time(entry.revision, entry.header.timezone),
    )


def render_recap_page(recap: Recap, chart: bytes | None = None) -> str:
    """One recap's page; ``chart`` (a PNG) is embedded when given."""
    return _render(
        "archive_recap.html.j2", current="recap", **recap_context(recap, chart, anchor=anchor)
    )


def render_resources(
    resources: Sequence[SharedResource], entries: Sequence[Entry], series: Sequence[tuple[str, str]]
) -> str:
    """``resources.html``: every resource once, with the filter form ``resources.js`` runs."""
    return _render(
        "archive_resources.html.j2",
        current="resources",
        scripts=True,
        resources=resources,
        total=count(len(resources), "resource"),
        chats=_chats(len(entries)),
        series=series,
        qlabel=question_label,
        day=day,
    )


def render_search(entries: Sequence[Entry], series: Sequence[tuple[str, str]]) -> str:
    """``search.html``: the search form; ``search.js`` fills in the results."""
    return _render(
        "archive_search.html.j2",
        current="search",
        scripts=True,
        chats=_chats(len(entries)),
        series=series,
    )
