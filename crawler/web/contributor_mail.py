"""Mails to contributors: their texts (config/submission_mail.yaml) and the sending of the outbox.

Rules:
- The texts are data: per mail (receipt, approved, rejected, changes) a subject and a body in each
  of crawler.submissions.LANGUAGES, as `string.Template` (``$title``...; an unknown placeholder
  stays as typed, never an error). The language is the contribution's when it is one of them,
  else English. `ConfigError` when the file lacks a text or a language.
- A rejection's ``$reason`` is the label of the chosen publication criterion (config/criteria.yaml)
  in that language, else the text of the desk's reason (the file's ``reasons``).
- Mails are plain text (UTF-8), sent through the digests' SMTP settings (crawler.web.digest); the
  subject is one line. Only the contribution's own address receives it; no address is ever shown
  elsewhere.
- `send_due` claims due mails (crawler.store.outbox.claim_due) and commits the claim before
  sending, then records each result in its own transaction: sent, dropped (address forgotten) or
  failed (retried later with back-off). An SMTP or network error never loses a mail.
"""

from __future__ import annotations

import smtplib
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from crawler.errors import ConfigError
from crawler.store import outbox
from crawler.submissions import CONFIG_DIR, LANGUAGES, criteria
from crawler.web.digest import SmtpSettings, send
from crawler.web.logsafe import escape_controls
from crawler.yamlerrors import load_yaml_file

TEXTS = ("receipt", "approved", "rejected", "changes")
AMEND_DAYS = 14
"""Days an amend link stays valid (crawler.web.amend)."""


@cache
def texts(path: Path | None = None) -> dict[str, Any]:
    """The mail texts (module docstring); ConfigError naming what is missing."""
    path = path or CONFIG_DIR / "submission_mail.yaml"
    try:
        data = load_yaml_file(path)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError([f"{path.name}: {exc}"]) from exc
    problems = [
        f"{path.name}: {kind}.{lang}.{part} is missing"
        for kind in TEXTS
        for lang in LANGUAGES
        for part in ("subject", "body")
        if not isinstance(data, dict) or not str(((data.get(kind) or {}).get(lang) or {}).get(part) or "")
    ]
    if problems:
        raise ConfigError(problems)
    return dict(data)


def language_of(language: str | None) -> str:
    """The mail language: the contribution's when the portal has it, else ``en``."""
    return language if language in LANGUAGES else "en"


def reason_text(context: dict[str, Any], lang: str) -> str:
    """The rejection reason in `lang` (module docstring); empty without one."""
    chosen = context.get("criterion")
    for criterion in criteria():
        if chosen and criterion["id"] == chosen:
            return criterion.get(lang) or criterion["en"]
    reasons = texts().get("reasons") or {}
    label = reasons.get(context.get("reason") or "other") or reasons.get("other") or {}
    return str(label.get(lang) or label.get("en") or context.get("reason") or "")


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    language: str
    values: dict[str, str] = field(default_factory=dict)


def compose(mail: outbox.DueMail, base_url: str) -> Composed:
    """Subject and body of `mail` in the contribution's language."""
    lang = language_of(mail.language)
    context = mail.context
    text = mail.kind
    if mail.kind == "decision":
        text = "approved" if context.get("action") == "approve" else "rejected"
    item_id = context.get("item_id")
    values = {
        "name": mail.name or "",
        "title": str(context.get("title") or ""),
        "kind": mail.submission_kind.replace("_", " "),
        "reason": reason_text(context, lang) if text == "rejected" else "",
        "message": str(context.get("message") or ""),
        "link": str(context.get("link") or ""),
        "days": str(AMEND_DAYS),
        "item_url": f"{base_url.rstrip('/')}/api/v1/items/{item_id}" if item_id else base_url,
    }
    chosen = texts()[text][lang]
    subject = string.Template(str(chosen["subject"])).safe_substitute(values)
    body = string.Template(str(chosen["body"])).safe_substitute(values)
    return Composed(" ".join(subject.split())[:250], body, lang, values)


def message_for(mail: outbox.DueMail, composed: Composed, sender: str, now: datetime) -> EmailMessage:
    """The plain-text message of `mail` to its contribution's address."""
    message = EmailMessage()
    message["Subject"] = composed.subject
    message["From"] = sender
    message["To"] = mail.email or ""
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = composed.language
    message.set_content(composed.body, subtype="plain", charset="utf-8")
    return message


Sender = Callable[[EmailMessage, SmtpSettings], None]


def send_due(
    session_factory: Callable[[], Any],
    smtp: SmtpSettings,
    base_url: str,
    *,
    now: datetime | None = None,
    limit: int = 100,
    deliver: Sender = send,
    log: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Send the due mails (module docstring); returns counts ``sent``, ``failed``, ``dropped``.

    `session_factory` makes sessions (each used in ``with``); `deliver` is the SMTP sender
    (crawler.web.digest.send) and raises smtplib.SMTPException, OSError or ValueError on failure.
    """
    now = now or datetime.now(UTC)
    done = {"sent": 0, "failed": 0, "dropped": 0}
    with session_factory() as session:
        due = outbox.claim_due(session, now, limit)
        session.commit()
    for mail in due:
        with session_factory() as session:
            if not mail.email:
                outbox.mark_dropped(session, mail.id, "the contributor's address was erased")
                done["dropped"] += 1
            else:
                try:
                    composed = compose(mail, base_url)
                    deliver(message_for(mail, composed, smtp.sender, now), smtp)
                except (smtplib.SMTPException, OSError, ValueError) as exc:
                    when = outbox.mark_failed(session, mail, f"{type(exc).__name__}: {exc}", now)
                    done["failed"] += 1
                    if log:
                        why = escape_controls(str(exc))
                        log(f"mail {mail.id} not sent ({why}); next try {when:%H:%M} UTC")
                else:
                    outbox.mark_sent(session, mail.id, now)
                    done["sent"] += 1
            session.commit()
    return done
