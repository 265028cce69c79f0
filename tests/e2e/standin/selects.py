"""Select menu submissions Discord's client would not send (see :mod:`.menus`)."""

from __future__ import annotations

from .model import JSON

SELECT_TYPES = (3, 5, 6, 7, 8)


def check_select(component: JSON, values: list[str] | None) -> None:
    """Raise ValueError for a submission Discord's client would not send for ``component``."""
    kind = int(component.get("type", 2))
    if kind not in SELECT_TYPES:
        if values is not None:
            raise ValueError(f"component {component.get('custom_id')!r} is not a select menu")
        return
    if component.get("disabled"):
        raise ValueError(f"select {component.get('custom_id')!r} is disabled")
    if values is None:
        raise ValueError(f"select {component.get('custom_id')!r} needs values")
    low = int(component.get("min_values", 1))
    high = int(component.get("max_values", 1))
    if not low <= len(values) <= high:
        raise ValueError(f"select takes {low} to {high} values, not {len(values)}")
    if kind == 3:
        offered = {str(option["value"]) for option in component.get("options") or []}
        unknown = [value for value in values if value not in offered]
        if unknown:
            raise ValueError(f"select has no options {unknown}; it offers {sorted(offered)}")
