"""Bad input: every text field of every form has a length limit, and a body
over MAX_CONTENT_LENGTH (256 KiB) answers 413 on the pages and the API."""
from __future__ import annotations

import importlib
import io
import pkgutil

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import afr_aid
from tests.conftest import api_token, csrf_from

TOO_BIG = 257 * 1024


def all_form_classes() -> set[type]:
    for module in pkgutil.walk_packages(afr_aid.__path__, "afr_aid."):
        importlib.import_module(module.name)
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("afr_aid.") and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def unbound_fields(form_class):
    for klass in form_class.__mro__:
        for name, value in vars(klass).items():
            if isinstance(value, UnboundField):
                yield name, value


def has_max_length(field: UnboundField) -> bool:
    validators = list(field.kwargs.get("validators") or [])
    if len(field.args) > 1:
        validators += list(field.args[1] or [])
    if any(isinstance(v, Length) and v.max not in (None, -1) for v in validators):
        return True
    return "maxlength" in (field.kwargs.get("render_kw") or {})


def test_every_text_field_of_every_form_has_a_length_limit():
    forms = all_form_classes()
    assert len(forms) >= 10, sorted(f.__name__ for f in forms)
    text_fields = [(form.__name__, name, field) for form in forms for name, field in unbound_fields(form)
                   if issubclass(field.field_class, StringField)]
    assert len(text_fields) >= 20
    unlimited = sorted(f"{form}.{name}" for form, name, field in text_fields if not has_max_length(field))
    assert unlimited == [], "text fields without a length limit"


def test_an_oversized_page_form_is_refused_with_413(app, make_user, client):
    from tests.conftest import login

    volunteer = make_user("volunteer")
    login(client, volunteer.email)
    token = csrf_from(client.get("/cases/new/assistance").get_data(as_text=True))
    response = client.post("/cases/new/assistance", data={"csrf_token": token, "description": "x" * TOO_BIG})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too large" in page and "<html" in page.lower()


def test_an_oversized_upload_is_refused_with_413(app, make_user, client):
    from tests.conftest import login

    admin = make_user("admin", regions=["CD"])
    login(client, admin.email)
    token = csrf_from(client.get("/admin/places").get_data(as_text=True))
    upload = (io.BytesIO(b"code,name,level,parent\n" + b"CD-NK-X,X,locality,CD-NK\n" * 12_000), "places.csv")
    response = client.post("/admin/places/import", data={"csrf_token": token, "file": upload},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    from afr_aid.services.cases import places

    assert places.get_place("CD-NK-X") is None


def test_an_oversized_api_body_is_refused_with_413_in_json(app, make_user, client):
    headers = api_token(client, make_user("volunteer").email)
    response = client.post("/api/v1/cases", headers=headers, data=b'{"description": "' + b"x" * TOO_BIG + b'"}',
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
