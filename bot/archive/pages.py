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

from collections.abc import Hashable, Mapping, Sequence
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


def page_html(
    template: str, *, current: str, root: str = "", scripts: bool = False, **context: object
) -> str:
    """An archive page from ``template``: its policy and stylesheet, the navigation marking
    ``current``; ``root`` is the way back to the archive's folder from the page's (``../``
    for the pages about people and series, which live one folder down)."""
    return (
        template_environment()
        .get_template(template)
        .render(
            # Our own constants, not user text: written as they are.
            csp=Markup(content_security_policy(scripts=scripts, images=bool(context.get("chart")))),  # noqa: S704
            css=Markup(stylesheet()),  # noqa: S704
            current=current,
            root=root,
            **context,
        )
    )


def _chats(number: int) -> str:
    return count(number, "chat")


def render_index(
    entries: Sequence[Entry], resources: int, series_pages: Mapping[str, str] | None = None
) -> str:
    """``index.html``: ``entries`` newest first; ``series_pages`` the page of each recurring chat
    (by chat id)."""
    return page_html(
        "archive_index.html.j2",
        current="index",
        entries=entries,
        series_page=(series_pages or {}).get,
        chats=_chats(len(entries)),
        resources=count(resources, "resource"),
        date=long_date,
        length=lambda header: duration(header.duration),
        updated=lambda entry: revision_time(entry.revision, entry.header.timezone),
    )


def render_recap_page(
    recap: Recap, chart: bytes | None = None, profiles: Mapping[int, str] | None = None
) -> str:
    """One recap's page; ``chart`` (a PNG) is embedded when given; ``profiles`` are the public
    profile pages (by user id) its names link to."""
    pages = profiles or {}
    return page_html(
        "archive_recap.html.j2",
        current="recap",
        **recap_context(recap, chart, anchor=anchor, profile=pages.get),
    )


def render_resources(
    resources: Sequence[SharedResource],
    entries: Sequence[Entry],
    series: Sequence[tuple[str, str]],
    profiles: Mapping[int, str] | None = None,
    rendered: dict[Hashable, str] | None = None,
) -> str:
    """``resources.html``: every resource once, with the filter form ``resources.js`` runs;
    who shared it first links to their profile (``profiles``, by user id) when they have one.

    ``rendered`` (kept by the caller between builds) holds each resource's HTML by what it
    shows: a resource shown as before is not rendered again (a five-year archive has tens of
    thousands); what it holds afterwards is the resources of this page only."""
    profile = (profiles or {}).get
    template = template_environment().get_template("archive_resource.html.j2")
    before = rendered if rendered is not None else {}
    now: dict[Hashable, str] = {}
    items = []
    for resource in resources:
        key = _resource_key(resource, profile(resource.first.shared_by_id))
        html = before.get(key)
        if html is None:
            html = (
                template.render(res=resource, profile=profile, qlabel=question_label, day=day)
                + "\n"
            )
        now[key] = html
        items.append(Markup(html))  # noqa: S704 (rendered by the autoescaping template)
    if rendered is not None:
        rendered.clear()
        rendered.update(now)
    return page_html(
        "archive_resources.html.j2",
        current="resources",
        scripts=True,
        items=items,
        resources=resources,
        total=count(len(resources), "resource"),
        chats=_chats(len(entries)),
        series=series,
    )


def _resource_key(resource: SharedResource, profile: str | None) -> Hashable:
    """Everything a resource's item shows, as a dictionary key."""
    return (
        resource.url,
        profile,
        tuple(
            (
                place.entry.page,
                place.entry.header.title,
                place.entry.header.start,
                place.entry.header.timezone,
                place.anchor,
                place.resource,
            )
            for place in resource.places
        ),
    )


def render_search(entries: Sequence[Entry], series: Sequence[tuple[str, str]]) -> str:
    """``search.html``: the search form; ``search.js`` fills in the results."""
    return page_html(
        "archive_search.html.j2",
        current="search",
        scripts=True,
        chats=_chats(len(entries)),
        series=series,
    )
