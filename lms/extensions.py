"""Flask extensions, created unbound and bound to an app in :func:`lms.create_app`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import ColumnElement, MetaData, inspect
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

# Named constraints let later migrations alter tables (SQLite batch mode needs the names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
# No default limits and auto_check off: a request pays for rate limiting only on a view that declares
# a limit with ``@limit`` (below), not in a check before every request.
limiter = Limiter(key_func=get_remote_address, default_limits=[], auto_check=False)

View = TypeVar("View", bound=Callable[..., Any])
Model = TypeVar("Model", bound=Base)


@functools.cache
def _layout(model: type[Base]) -> tuple[tuple[ColumnElement[Any], ...], tuple[str, ...], tuple[int, ...]]:
    """``model``'s column attributes: their table columns, their keys, and where the primary key is."""
    mapper = model.__mapper__
    props = list(mapper.column_attrs)
    keys = tuple(prop.key for prop in props)
    primary = tuple(keys.index(mapper.get_property_by_column(column).key) for column in mapper.primary_key)
    return tuple(prop.columns[0] for prop in props), keys, primary


def table_columns(model: type[Base]) -> tuple[ColumnElement[Any], ...]:
    """The table columns of ``model``'s column attributes, in the order :func:`loaded` takes values."""
    return _layout(model)[0]


def loaded(model: type[Model], values: Sequence[Any]) -> Model:
    """The ``model`` object of a plain row (``values`` of :func:`table_columns`, in order), in the
    session as if a query had loaded it: its attributes committed, its relationships lazy, and the
    session's own object if it already holds one (what has expired of it filled in, the rest kept, as
    a query does).

    For a page's hottest queries: selecting the entity makes SQLAlchemy build the statement's cache
    key and row loaders on every execution (tens of microseconds); plain columns are read as they
    are, and the object is made once from them."""
    _columns, keys, primary = _layout(model)
    present = db.session.identity_map.get(identity_key(model, tuple(values[index] for index in primary)))
    if present is not None:  # what a query does: fill in what has expired (after a commit), keep the rest
        unloaded = inspect(present).unloaded
        for key, value in zip(keys, values, strict=True):
            if key in unloaded:
                set_committed_value(present, key, value)
        return present
    instance = model.__mapper__.class_manager.new_instance()
    instance.__dict__.update(zip(keys, values, strict=True))
    make_transient_to_detached(instance)  # as freshly loaded: no history, nothing to flush
    db.session.add(instance)
    return instance


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, unchanged but for its serializer: Flask builds a new one for
    every request (and itsdangerous tries it out on an empty dict each time); this one is built once
    for the secret key and its fallbacks, and again when they change."""

    _built: tuple[tuple[Any, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built = self._built
        if built is None or built[0] != keys:
            built = self._built = (keys, super().get_signing_serializer(app))
        return built[1]


def limit(*limits: Any, **options: Any) -> Callable[[View], View]:
    """``limiter.limit(...)`` for a view, checked when the view is called (``limiter.check()``).

    With ``auto_check`` off, Flask-Limiter checks nothing by itself: a view's limits are declared by
    ``limiter.limit`` and checked by ``limiter.check()``, which this decorator calls once per request
    however many ``@limit`` a view stacks (each check counts every limit of the view)."""

    def decorate(view: View) -> View:
        declared = limiter.limit(*limits, **options)(view)

        @wraps(declared)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not request.environ.get("lms.limits_checked"):  # the request's, not g (a test's app
                request.environ["lms.limits_checked"] = True  # context outlives its requests)
                limiter.check()
            return declared(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate
