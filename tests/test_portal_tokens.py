"""``ewsi api-token`` (crawler.commands.api_token): add prints the token once, only its hash is stored,
list, revoke; the token then authenticates against the read API until revoked."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from test_portal_api import make_app, portal_db  # noqa: F401

from crawler.cli import main as ewsi
from crawler.store.schema import ApiToken
from crawler.store.session import make_engine, session_factory


def test_add_list_revoke(portal_db, capsys):  # noqa: F811
    assert ewsi(["api-token", "--database-url", portal_db, "add", "portal", "--rate", "1200"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("ewsi_") and len(token) > 40
    engine = make_engine(portal_db)
    with session_factory(engine)() as session:
        rows = session.query(ApiToken).all()
    assert [(r.name, r.rate_limit_per_minute) for r in rows] == [("portal", 1200)]
    assert rows[0].token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in rows[0].token_hash
    # a second active token of the same name is refused
    assert ewsi(["api-token", "--database-url", portal_db, "add", "portal"]) == 1
    assert ewsi(["api-token", "--database-url", portal_db, "list"]) == 0
    listing = capsys.readouterr().out
    assert "portal\t1200/min" in listing and token not in listing
    # created, revoked: as the desk shows times, not ISO 8601
    assert re.search(r"^portal\t1200/min\t\d{4}-\d\d-\d\d \d\d:\d\d UTC\t-$", listing, re.M)

    app = make_app(portal_db, anonymous_per_minute=1, token_cache_s=0)
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {token}"}
        assert [client.get("/api/v1/themes", headers=auth).status_code for _ in range(3)] == [200] * 3
        assert ewsi(["api-token", "--database-url", portal_db, "revoke", "portal"]) == 0
        assert client.get("/api/v1/themes", headers=auth).status_code == 401
    app.state.engine.dispose()
    assert ewsi(["api-token", "--database-url", portal_db, "revoke", "portal"]) == 1
    engine.dispose()


@pytest.mark.parametrize("rate", ["lots", "0", "-5", "100001", "99999999999999999999"])
def test_bad_rate_is_rejected(portal_db, rate, capsys):  # noqa: F811
    with pytest.raises(SystemExit) as exit_info:
        ewsi(["api-token", "--database-url", portal_db, "add", "x", "--rate", rate])
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
    assert ewsi(["api-token", "--database-url", portal_db, "list"]) == 0
    assert "x\t" not in capsys.readouterr().out  # nothing was stored


@pytest.mark.parametrize("name", ["fake\t1/min\nreal", "evil\u202eoh", " ", "a" * 65, ".dot"])
def test_token_names_follow_the_user_name_rule(portal_db, name, capsys):  # noqa: F811
    assert ewsi(["api-token", "--database-url", portal_db, "add", name]) == 2
    assert "ASCII letters" in capsys.readouterr().err
    assert ewsi(["api-token", "--database-url", portal_db, "add", "portal-site.eu"]) == 0
