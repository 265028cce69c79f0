"""Modals and autocomplete as Discord handles them (checked against Discord's API docs:
components/reference.mdx "Text Input", "Label", "Action Row"; interactions/
receiving-and-responding.mdx "Modal", "Autocomplete", "Modal Submit Data Structure").

* A MODAL callback (type 9): ``custom_id`` 1-100 characters, ``title`` 1-45, 1 to 5
  components. Each is a Label (type 18: ``label`` 1-45, ``description`` up to 100, one
  ``component``), a Text Display (10), or the older Action Row (1) holding one Text Input,
  whose own ``label`` (1-45) is then required. A Text Input (4): ``custom_id`` 1-100 and
  unique, ``style`` 1 or 2, ``min_length`` 0-4000, ``max_length`` 1-4000, ``value`` up to
  4000, ``placeholder`` up to 100. Anything else is refused with 400 Invalid Form Body.
* A MODAL_SUBMIT (type 5) carries, for each component in order, ``type`` and ``id`` (Discord
  numbers components without an ``id`` 1, 2, 3 ... depth first), and for a Text Input its
  ``custom_id`` and ``value``: what the user typed, or the prefilled ``value`` they left as
  it was. The client refuses to submit a required input left empty or a text outside
  ``min_length``/``max_length``; so does the driver (ValueError).
* An APPLICATION_COMMAND_AUTOCOMPLETE_RESULT (type 8): at most 25 choices, each ``name``
  1-100 characters and a ``value`` of the focused option's type (a string up to 100).
"""

from __future__ import annotations

from typing import Any

from .model import JSON, invalid_form

MODAL_COMPONENTS = 5
TITLE_LIMIT = 45
LABEL_LIMIT = 45
DESCRIPTION_LIMIT = 100
CUSTOM_ID_LIMIT = 100
TEXT_LIMIT = 4000
PLACEHOLDER_LIMIT = 100
CHOICES_LIMIT = 25
CHOICE_NAME_LIMIT = 100
#: Components a Label may hold besides a Text Input (selects, file upload, radio, checkboxes).
LABEL_CHILDREN = {3, 4, 5, 6, 7, 8, 19, 21, 22, 23}


def _text(value: Any, low: int, high: int) -> bool:
    return isinstance(value, str) and low <= len(value) <= high


def _check_text_input(comp: JSON, path: str, seen: set[str], *, labelled: bool) -> None:
    custom_id = comp.get("custom_id")
    if not _text(custom_id, 1, CUSTOM_ID_LIMIT):
        raise invalid_form(f"{path}.custom_id", "Must be between 1 and 100 in length.")
    if custom_id in seen:
        raise invalid_form(f"{path}.custom_id", "Component custom id cannot be duplicated")
    seen.add(str(custom_id))
    if comp.get("style") not in (1, 2):
        raise invalid_form(f"{path}.style", "Value must be one of (1, 2).")
    label = comp.get("label")
    if not labelled and not _text(label, 1, LABEL_LIMIT):
        raise invalid_form(f"{path}.label", "Must be between 1 and 45 in length.")
    if labelled and label is not None and not _text(label, 1, LABEL_LIMIT):
        raise invalid_form(f"{path}.label", "Must be between 1 and 45 in length.")
    low, high = comp.get("min_length"), comp.get("max_length")
    if low is not None and not (isinstance(low, int) and 0 <= low <= TEXT_LIMIT):
        raise invalid_form(f"{path}.min_length", "int value should be <= 4000 and >= 0.")
    if high is not None and not (isinstance(high, int) and 1 <= high <= TEXT_LIMIT):
        raise invalid_form(f"{path}.max_length", "int value should be <= 4000 and >= 1.")
    if low is not None and high is not None and low > high:
        raise invalid_form(f"{path}.min_length", "Must be less than or equal to max_length.")
    value = comp.get("value")
    if value is not None and not _text(value, 0, TEXT_LIMIT):
        raise invalid_form(f"{path}.value", "Must be 4000 or fewer in length.")
    placeholder = comp.get("placeholder")
    if placeholder is not None and not _text(placeholder, 0, PLACEHOLDER_LIMIT):
        raise invalid_form(f"{path}.placeholder", "Must be 100 or fewer in length.")


def check_modal(data: JSON) -> None:
    """Refuse a modal Discord would refuse (see the module docstring)."""
    if not _text(data.get("custom_id"), 1, CUSTOM_ID_LIMIT):
        raise invalid_form("data.custom_id", "Must be between 1 and 100 in length.")
    if not _text(data.get("title"), 1, TITLE_LIMIT):
        raise invalid_form("data.title", "Must be between 1 and 45 in length.")
    components = data.get("components")
    if not isinstance(components, list) or not 1 <= len(components) <= MODAL_COMPONENTS:
        raise invalid_form("data.components", "Must be between 1 and 5 in length.")
    seen: set[str] = set()
    for index, comp in enumerate(components):
        path = f"data.components[{index}]"
        kind = comp.get("type")
        if kind == 1:
            children = comp.get("components") or []
            if len(children) != 1 or children[0].get("type") != 4:
                raise invalid_form(
                    f"{path}.components", "An action row in a modal holds one text input"
                )
            _check_text_input(children[0], f"{path}.components[0]", seen, labelled=False)
        elif kind == 18:
            if not _text(comp.get("label"), 1, LABEL_LIMIT):
                raise invalid_form(f"{path}.label", "Must be between 1 and 45 in length.")
            description = comp.get("description")
            if description is not None and not _text(description, 0, DESCRIPTION_LIMIT):
                raise invalid_form(f"{path}.description", "Must be 100 or fewer in length.")
            child = comp.get("component") or {}
            if child.get("type") not in LABEL_CHILDREN:
                raise invalid_form(f"{path}.component", "Invalid component type for a label")
            if child.get("type") == 4:
                _check_text_input(child, f"{path}.component", seen, labelled=True)
        elif kind != 10:
            raise invalid_form(f"{path}.type", f"Component type {kind} is not allowed in a modal")


def _number(components: list[JSON]) -> dict[int, int]:
    """Component ids as Discord gives them: explicit ones kept, the rest 1, 2, 3 ... depth
    first, skipping ids in use (keyed by ``id()`` of each component dict)."""
    taken: set[int] = set()

    def walk(comps: list[JSON]) -> list[JSON]:
        out: list[JSON] = []
        for comp in comps:
            out.append(comp)
            children = list(comp.get("components") or [])
            if comp.get("component"):
                children.append(comp["component"])
            out.extend(walk(children))
        return out

    order = walk(components)
    taken.update(int(c["id"]) for c in order if c.get("id"))
    ids: dict[int, int] = {}
    following = 1
    for comp in order:
        if comp.get("id"):
            ids[id(comp)] = int(comp["id"])
            continue
        while following in taken:
            following += 1
        ids[id(comp)] = following
        taken.add(following)
    return ids


def _typed(comp: JSON, values: dict[str, str]) -> str:
    """What the user submits in a text input: what they typed, or the prefilled value; the
    client checks required and the length limits before sending."""
    custom_id = str(comp["custom_id"])
    value = values.get(custom_id, comp.get("value") or "")
    required = comp.get("required", True)
    if required and not value:
        raise ValueError(f"Discord does not submit a form with {custom_id!r} (required) empty")
    low, high = comp.get("min_length"), comp.get("max_length", TEXT_LIMIT)
    if value and ((low is not None and len(value) < low) or len(value) > high):
        raise ValueError(
            f"Discord does not submit {custom_id!r} with {len(value)} characters "
            f"(min_length {low}, max_length {high})"
        )
    return value


def submission(components: list[JSON], values: dict[str, str]) -> list[JSON]:
    """The ``components`` of a MODAL_SUBMIT for a modal's components and what was typed."""
    ids = _number(components)

    def one(comp: JSON) -> JSON:
        kind = int(comp.get("type", 0))
        out: JSON = {"type": kind, "id": ids[id(comp)]}
        if kind == 1:
            out["components"] = [one(c) for c in comp.get("components") or []]
        elif kind == 18 and comp.get("component"):
            out["component"] = one(comp["component"])
        elif kind == 4:
            out |= {"custom_id": comp["custom_id"], "value": _typed(comp, values)}
        elif comp.get("custom_id"):
            out |= {"custom_id": comp["custom_id"], "values": []}
        return out

    return [one(comp) for comp in components]


def focused_option(options: list[JSON]) -> JSON | None:
    """The option being typed in an autocomplete interaction's (nested) options."""
    for option in options:
        if option.get("focused"):
            return option
        found = focused_option(list(option.get("options") or []))
        if found is not None:
            return found
    return None


def check_choices(payload: JSON, data: JSON) -> None:
    """Refuse autocomplete choices Discord would refuse (see the module docstring)."""
    choices = data.get("choices")
    if not isinstance(choices, list) or len(choices) > CHOICES_LIMIT:
        raise invalid_form("data.choices", "Must be 25 or fewer in length.")
    focused = focused_option(list(payload.get("data", {}).get("options") or []))
    kind = int(focused["type"]) if focused else 3
    for index, choice in enumerate(choices):
        if not _text(choice.get("name"), 1, CHOICE_NAME_LIMIT):
            raise invalid_form(
                f"data.choices[{index}].name", "Must be between 1 and 100 in length."
            )
        value = choice.get("value")
        fits = (
            _text(value, 1, CHOICE_NAME_LIMIT)
            if kind == 3
            else isinstance(value, int | float) and not isinstance(value, bool)
        )
        if not fits:
            raise invalid_form(f"data.choices[{index}].value", "Invalid value for the option type")
