"""Forms: a posted form parsed by a pydantic model, errors as text next to each field.

A page's POST handler does::

    data, errors = parse_form(ProductForm, form, language)
    if errors: return render(..., errors=errors, values=form)    # 200, the form again
    try: office.add_product(...)
    except DomainError as exc: errors = field_error(exc, language, FIELDS_BY_KEY)

Every message is in the page's language; a rule broken in a service (a
:class:`DomainError`) lands next to the field it is about, or above the form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from ipos_tui.domain.errors import DomainError
from ipos_tui.i18n import has_key, text_in

M = TypeVar("M", bound=BaseModel)

#: The key of errors that belong to no single field (shown above the form).
FORM = "_form"
#: The hidden field carrying what the form was built from (see :func:`fingerprint`).
VERSION_FIELD = "version"

_PYDANTIC_KEYS = {
    "missing": "web.form.required",
    "string_too_short": "web.form.required",
    "string_too_long": "web.form.too_long",
    "int_parsing": "web.form.number",
    "int_type": "web.form.number",
    "greater_than_equal": "web.form.too_small",
    "less_than_equal": "web.form.too_large",
    "literal_error": "web.form.choice",
    "enum": "web.form.choice",
    "bool_parsing": "web.form.choice",
}


def form_dict(form: FormData, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted fields (``lists``: fields that may repeat, as lists); blank optional
    fields stay "" for the model to decide."""
    data: dict[str, Any] = {}
    for key in form.keys():
        if key in ("csrf_token", VERSION_FIELD):
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = values if key in lists else (values[-1] if values else "")
    for key in lists:
        data.setdefault(key, [])
    return data


def parse_form(model: type[M], form: FormData | Mapping[str, Any], language: str,
               lists: tuple[str, ...] = ()) -> tuple[M | None, dict[str, str]]:
    """The form as ``model``, or None and the message of each wrong field."""
    data = form_dict(form, lists) if isinstance(form, FormData) else dict(form)
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, validation_errors(exc, language)


def validation_errors(exc: ValidationError, language: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error.get("loc") else FORM
        if field in errors:
            continue
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, DomainError):
            errors[field] = refusal_text(language, cause)
            continue
        key = _PYDANTIC_KEYS.get(error["type"], "web.form.invalid")
        errors[field] = text_in(language, key, **(error.get("ctx") or {}))
    return errors


def field_error(exc: DomainError, language: str,
                fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """A service's refusal as a form error: next to the field ``fields`` maps its key
    to (error key → field name), else above the form."""
    field = (fields or {}).get(exc.key, FORM)
    return {field: refusal_text(language, exc)}


def refusal_text(language: str, exc: DomainError) -> str:
    """A service's refusal in words: its ``err.*`` text, else the admin CLI's wording
    of it (``cli.err.*``), never a bare key."""
    for key in (exc.key, f"cli.{exc.key}"):
        if has_key(key):
            return text_in(language, key, **exc.params)
    return text_in(language, "web.form.invalid")


def fingerprint(values: Any) -> str:
    """A short digest of a record as a form showed it. Posted back in the hidden
    :data:`VERSION_FIELD`; when the record's digest differs at save time, somebody else
    changed it meanwhile and the save is refused (:func:`check_version`)."""
    raw = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def check_version(form: FormData, current: Any) -> None:
    """Refuse a stale form: raise ``err.web_stale`` when the record changed after the
    form was shown."""
    posted = form.get(VERSION_FIELD)
    if posted != fingerprint(current):
        raise DomainError("err.web_stale")
