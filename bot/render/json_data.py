"""The recap as plain JSON: every field of the model, keys sorted, times in ISO 8601 UTC.

The shape follows :mod:`bot.core.recap` field for field (a ``Recap`` becomes an
object with ``header``, ``questions``, ``resources`` …); durations are seconds,
enumerations their value. ``schema`` numbers the shape for readers such as the
archive.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from bot.core.recap import Recap

#: Raised when the shape changes in a way a reader would notice.
SCHEMA = 1


_SCALARS = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """``value`` as JSON-ready lists, dicts, strings and numbers."""
    kind = type(value)
    if kind in _SCALARS:  # exact types: an enumeration's value is written, not the member
        return value
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[kind] = tuple(field.name for field in dataclasses.fields(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def recap_data(recap: Recap) -> dict[str, Any]:
    """The recap as a JSON-ready dict."""
    data: dict[str, Any] = plain(recap)
    data["schema"] = SCHEMA
    data["late_answers"] = plain(recap.late_answers)
    return data


def render_json(recap: Recap) -> str:
    """The recap as JSON text (UTF-8 kept readable, keys sorted; not indented, which keeps
    100,000 answers fast to write)."""
    return json.dumps(recap_data(recap), ensure_ascii=False, sort_keys=True) + "\n"
