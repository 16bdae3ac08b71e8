"""``ewsi users`` and ``ewsi serve`` (crawler.commands.users, .serve): accounts from stdin, names,
proxies, ports.

Runs on SQLite and PostgreSQL (`db_url`); HTTP goes through FastAPI's TestClient over
``https://testserver`` so the ``Secure`` session cookie is sent back (tests/desklab.py).
"""

from __future__ import annotations

import io

import pytest
from desklab import SQLITE_ONLY

from crawler.store import users
from crawler.web.passwords import HASHER

# --- ewsi users -----------------------------------------------------------------------------------


@SQLITE_ONLY
def test_users_cli_reads_stdin_and_refuses_duplicates(db_url, engine, Session, monkeypatch, capsys) -> None:
    from crawler.cli import main as ewsi
    from crawler.commands.users import read_password

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert ewsi(["users", "add", "carol", "--role", "admin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert ewsi(["users", "add", "carol", "--role", "editor"]) == 1
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert ewsi(["users", "add", "dave", "--role", "editor"]) == 1
    with Session() as s:
        user = users.get_user_by_name(s, "carol")
        assert user.role == "admin" and user.password_hash.startswith("$argon2id$")
        assert HASHER.verify(user.password_hash, "a long enough passphrase")
    answers = iter(["first passphrase!", "other passphrase"])
    with pytest.raises(ValueError, match="differ"):
        read_password(stdin_is_tty=True, ask=lambda _prompt: next(answers))


@SQLITE_ONLY
def test_users_languages_are_iso_codes_and_listed(db_url, engine, Session, monkeypatch, capsys) -> None:
    """``--languages`` takes ISO 639-1 codes (any case, blanks ignored); ``users list`` shows them."""
    from crawler.cli import main as ewsi

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    assert ewsi(["users", "list"]) == 0
    empty = capsys.readouterr()
    assert (empty.out, empty.err.strip()) == (
        "",
        "no users yet: add one with `ewsi users add NAME --role editor`",
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert ewsi(["users", "add", "erin", "--role", "editor", "--languages", "DE, fr,de"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert ewsi(["users", "add", "finn", "--role", "admin"]) == 0
    with Session() as s:
        assert users.get_user_by_name(s, "erin").languages == ["de", "fr"]
    capsys.readouterr()
    assert ewsi(["users", "list"]) == 0
    listed = capsys.readouterr()
    assert listed.out.splitlines() == ["erin\teditor\tactive\tde,fr", "finn\tadmin\tactive\t-"]
    assert listed.err == ""


@pytest.mark.parametrize(
    ("value", "named"),
    [("english", "'english'"), ("xx,de", "'xx'"), ("de,en-GB,deu", "'en-gb', 'deu'")],
)
def test_users_add_refuses_a_language_that_is_no_iso_code(
    value: str, named: str, monkeypatch, capsys
) -> None:
    """An unknown code is a usage error naming it (exit 2), before the password or the database."""
    from crawler.cli import main as ewsi

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(SystemExit) as info:
        ewsi(["users", "add", "gil", "--role", "editor", "--languages", value])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("ewsi users add: error: argument --languages: not an ISO 639-1 language code")
    assert err.rstrip().endswith(named) and err.count("\n") == 1


@pytest.mark.parametrize(
    "name", ["ev\nil", "ev\til", " bob", "bob ", "a b", "", "x" * 65, "bö", "b\u202eob", "eve\x00", "éva"]
)
def test_users_cli_refuses_bad_names(db_url, engine, Session, monkeypatch, capsys, name: str) -> None:
    """User names follow users.USER_NAME_RULE: refused with exit 2 before the password is read."""
    from crawler.cli import main as ewsi

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    stdin = io.StringIO("a long enough passphrase\n")
    monkeypatch.setattr("sys.stdin", stdin)
    assert ewsi(["users", "add", name, "--role", "editor"]) == 2
    err = capsys.readouterr().err
    assert "a user name has 1 to 64 characters: letters A-Z and a-z, digits and . _ - @" in err
    assert err.count("\n") == 1 and "\u202e" not in err  # the name is shown escaped, on one line
    assert stdin.tell() == 0  # no password was asked for
    with Session() as s:
        assert users.list_users(s) == []
        with pytest.raises(ValueError, match="1 to 64 characters"):
            users.create_user(s, name, "editor", "$argon2id$not-used")


def test_users_cli_accepts_names_of_the_rule(db_url, engine, Session, monkeypatch) -> None:
    from crawler.cli import main as ewsi

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    for name in ("ev.il-1@example.org", "A_b", "x" * 64, "7"):
        monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
        assert ewsi(["users", "add", name, "--role", "editor"]) == 0, name
    with Session() as s:
        assert sorted(u.name for u in users.list_users(s)) == sorted(
            ["ev.il-1@example.org", "A_b", "x" * 64, "7"]
        )
    for bad in ("-bob", ".bob", "@bob"):  # must start with a letter or digit
        with pytest.raises(ValueError):
            users.check_user_name(bad)


@SQLITE_ONLY
def test_serve_reads_client_addresses_from_named_proxies_only(db_url, engine, monkeypatch) -> None:
    """Behind a reverse proxy the per-address login limit needs each client's own address:
    ``--forwarded-allow-ips`` turns on uvicorn's proxy headers for those proxies only."""
    import uvicorn

    from crawler.cli import main as ewsi

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    assert ewsi(["serve", "--database-url", db_url]) == 0
    assert ewsi(["serve", "--database-url", db_url, "--forwarded-allow-ips", "10.0.0.5,10.0.0.6"]) == 0
    assert [(c["proxy_headers"], c["forwarded_allow_ips"]) for c in calls] == [
        (False, None),
        (True, "10.0.0.5,10.0.0.6"),
    ]


@pytest.mark.parametrize("port", ["99999", "0", "http"])
def test_serve_refuses_a_bad_port_before_starting(port, capsys) -> None:
    from crawler.cli import main as ewsi

    with pytest.raises(SystemExit) as exit_info:
        ewsi(["serve", "--port", port])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--port" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "10.0.0.5,*",
        " * ",
        "0.0.0.0/0",
        "::/0",
        "0.0.0.0",
        "::",
        "10.0.0.0/7",
        "2001:db8::/16",
        "proxy.internal",
        "10.0.0.300",
        "10.0.0.*",
        "::ffff:0.0.0.0/96",
        "::ffff:10.0.0.0/100",
    ],
)
def test_serve_refuses_a_proxy_list_that_admits_everybody(value, monkeypatch, capsys) -> None:
    """A wildcard or over-broad proxy list would let any client choose its address (and so defeat the
    per-address login throttle): one line, exit 2, the server never starts."""
    import uvicorn

    from crawler.cli import main as ewsi

    started: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    assert ewsi(["serve", "--forwarded-allow-ips", value]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ewsi serve: error: --forwarded-allow-ips:") and "\n" not in err
    assert started == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.0.0.5", "10.0.0.5"),
        (" 10.0.0.5 , 10.0.0.6 ", "10.0.0.5,10.0.0.6"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("192.168.1.0/24,2001:db8::1", "192.168.1.0/24,2001:db8::1"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("::ffff:10.0.0.5", "::ffff:10.0.0.5"),
        ("", None),
    ],
)
def test_proxy_lists_of_named_proxies_are_kept(value, expected) -> None:
    from crawler.commands.serve import proxy_list

    assert proxy_list(value) == expected


@pytest.mark.parametrize(
    ("piped", "password"),
    [
        ("correct-horse-battery\n", "correct-horse-battery"),
        ("correct-horse-battery", "correct-horse-battery"),
        ("correct-horse-battery\ncorrect-horse-battery\n", "correct-horse-battery"),
        ("correct-horse-battery\r\ncorrect-horse-battery\r\n", "correct-horse-battery"),
        ("correct-horse-battery\n\n", "correct-horse-battery"),
        ("correct-horse-battery\ndifferent-horse-battery\n", None),
        ("correct-horse-battery\ncorrect-horse-batter\n", None),
        ("", ""),  # </dev/null: no password at all, not a short one
        ("\n", ""),
        ("\r\n", ""),
        ("short\n", "short"),
    ],
)
def test_piped_password_repeated_must_match(monkeypatch, piped: str, password: str | None) -> None:
    from crawler.commands.users import read_password

    monkeypatch.setattr("sys.stdin", io.StringIO(piped))
    if password is None:
        with pytest.raises(ValueError, match="differ"):
            read_password(stdin_is_tty=False)
    elif password == "":
        with pytest.raises(ValueError, match=r"^no password was given: standard input is empty") as refused:
            read_password(stdin_is_tty=False)
        assert "| ewsi users add NAME --role ROLE" in str(refused.value) and "12" not in str(refused.value)
    elif password == "short":
        with pytest.raises(ValueError, match="12 to 128"):
            read_password(stdin_is_tty=False)
    else:
        assert read_password(stdin_is_tty=False) == password


@SQLITE_ONLY
@pytest.mark.parametrize("second", ["Alice", "ALICE", "aLiCe"])
def test_users_differing_only_by_case_are_one_name(
    db_url, engine, Session, monkeypatch, capsys, second
) -> None:
    from crawler.cli import main as ewsi

    monkeypatch.setenv("EWSI_DATABASE_URL", db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert ewsi(["users", "add", "alice", "--role", "editor"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert ewsi(["users", "add", second, "--role", "admin"]) == 1
    assert "user 'alice' exists (names must differ by more than case)" in capsys.readouterr().err
    with Session() as s:
        assert [u.name for u in users.list_users(s)] == ["alice"]
        with pytest.raises(ValueError, match="differ by more than case"):
            users.create_user(s, second, "editor", "$argon2id$x")
