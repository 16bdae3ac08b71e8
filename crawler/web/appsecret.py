"""The application secret (the key CSRF signatures and amend links derive from), loaded once per app.

Rule: ``EWSI_SECRET_KEY`` (`Settings.secret_key`) when set; else the ``csrf`` row of app_secrets,
read or created in its own short committed transaction and cached on ``app.state`` for the life of
the process. It is loaded by `crawler.web.deps.get_session` BEFORE the request's own session is
opened, never while that session is open: the desk's SQLite transactions start with BEGIN IMMEDIATE
(crawler.web.app), so a second session opened while the request's holds the write lock would wait
for it the whole busy timeout (30 s, crawler.store.session) and answer 503. A request without a
database session (an error page, a public form) may load it here too: no session of its own is open.
"""

from __future__ import annotations

from typing import Any

from crawler.store import users

ROW_NAME = "csrf"
"""The name of the app_secrets row holding the generated secret (migration 0006_app_secrets)."""


def load_application_secret(state: Any) -> str:
    """The application secret of the app whose ``app.state`` is `state` (module docstring): cached in
    ``state.application_secret`` after the first call. Raises the store's database errors (the app
    answers 503) when it must be read and the database is down."""
    secret: str | None = getattr(state, "application_secret", None)
    if secret:
        return secret
    if state.settings.secret_key:
        secret = str(state.settings.secret_key)
    else:
        with state.session_factory() as session:
            secret = users.app_secret(session, ROW_NAME)
            session.commit()
    state.application_secret = secret
    return secret
