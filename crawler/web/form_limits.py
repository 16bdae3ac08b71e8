"""Size limits of the public contribution forms (``/submit``, ``/submit/amend/...``) and the plain
sentence a contributor reads past them.

Rule: a public form is parsed once, here, before anything else reads it (the CSRF check and the
route use the cached form): at most `MAX_FORM_FIELDS` fields and one file, each text field at most
crawler.submissions.MAX_FIELD_BYTES, the whole body at most MAX_BODY_BYTES (by Content-Length,
before any read). Past a limit the answer is 413 (too large) or 400 (too many fields, unreadable
body) with one sentence in the form's language (``?lang=`` of the form's action, else the
browser's Accept-Language, else English) naming the limits in KB/MB, never the multipart parser's
own message; the route does not run, so nothing is stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from crawler.submissions import LANGUAGES, MAX_BODY_BYTES, MAX_FIELD_BYTES, MAX_PDF_BYTES

MAX_FORM_FIELDS = 100
"""Most fields a contribution form may send (the largest kind has about 30)."""

_UNITS = {"en": ("KB", "MB", "."), "fr": ("Ko", "Mo", ","), "de": ("KB", "MB", ",")}
_SENTENCES: dict[str, dict[str, str]] = {
    "en": {
        "too_large": "Your contribution is too large: each text field may hold at most {field}, the PDF at "
        "most {pdf} and the whole form at most {body}. Please shorten it and send it again; "
        "nothing was saved.",
        "too_many": "The form holds too many fields (at most {fields}). Please reload the page and send it "
        "again; nothing was saved.",
        "unreadable": "The form could not be read. Please reload the page and send it again; "
        "nothing was saved.",
    },
    "fr": {
        "too_large": "Votre contribution est trop volumineuse : chaque champ de texte peut contenir au plus "
        "{field}, le PDF au plus {pdf} et le formulaire entier au plus {body}. Veuillez la raccourcir "
        "et l'envoyer à nouveau ; rien n'a été enregistré.",
        "too_many": "Le formulaire contient trop de champs (au plus {fields}). Veuillez recharger la page et "
        "l'envoyer à nouveau ; rien n'a été enregistré.",
        "unreadable": "Le formulaire n'a pas pu être lu. Veuillez recharger la page et l'envoyer à nouveau ; "
        "rien n'a été enregistré.",
    },
    "de": {
        "too_large": "Ihr Beitrag ist zu groß: Jedes Textfeld darf höchstens {field} enthalten, das PDF "
        "höchstens {pdf} und das ganze Formular höchstens {body}. Bitte kürzen Sie ihn und senden "
        "Sie ihn erneut; nichts wurde gespeichert.",
        "too_many": "Das Formular enthält zu viele Felder (höchstens {fields}). Bitte laden Sie die "
        "Seite neu und senden Sie es erneut; nichts wurde gespeichert.",
        "unreadable": "Das Formular konnte nicht gelesen werden. Bitte laden Sie die Seite neu und "
        "senden Sie es erneut; nichts wurde gespeichert.",
    },
}


def size_text(size: int, lang: str = "en") -> str:
    """`size` bytes as a reader writes it: ``256 KB``, ``10 MB``, ``10.3 MB`` (``10,3 Mo`` in French)."""
    kb, mb, point = _UNITS.get(lang, _UNITS["en"])
    if size < 1024 * 1024:
        return f"{size // 1024} {kb}"
    number = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
    return f"{number.replace('.', point)} {mb}"


def form_language(request: Request) -> str:
    """The form's language: ``lang`` of the query, else the first of Accept-Language we offer, else en."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def sentence(kind: str, lang: str) -> str:
    """The contributor's sentence for `kind` (too_large, too_many, unreadable) in `lang`."""
    text = _SENTENCES.get(lang, _SENTENCES["en"])[kind]
    return text.format(
        field=size_text(MAX_FIELD_BYTES, lang),
        pdf=size_text(MAX_PDF_BYTES, lang),
        body=size_text(MAX_BODY_BYTES, lang),
        fields=MAX_FORM_FIELDS,
    )


async def public_form(request: Request) -> None:
    """Router dependency of the public forms, listed before the CSRF check (rule in the module docstring)."""
    if request.method != "POST":
        return
    lang = form_language(request)
    length = request.headers.get("content-length")
    if length is None:
        raise HTTPException(411, sentence("unreadable", lang))
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        raise HTTPException(413, sentence("too_large", lang))
    try:
        await request.form(max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES)
    except (StarletteHTTPException, MultiPartException) as exc:
        said = str(getattr(exc, "detail", "") or getattr(exc, "message", ""))
        if "maximum size" in said:
            raise HTTPException(413, sentence("too_large", lang)) from None
        if said.startswith("Too many"):
            raise HTTPException(400, sentence("too_many", lang)) from None
        raise HTTPException(400, sentence("unreadable", lang)) from None


PDF_FIELD = "pdf"
"""The file field of the public forms."""


async def form_pdf(form: Any) -> tuple[bytes | None, str | None, str | None]:
    """(content, file name, error) of the form's PDF field.

    Rule: a browser sends the file field of a form even when no file was chosen, as a part with an
    empty file name and no content (some clients send it as an empty text part): such an empty part
    is "no file" (None, None, None), for every kind. A part with a name or content is the upload
    (validated by crawler.submissions.validate: size, ``%PDF-``, whether the kind takes one); a
    non-empty text part under that name is refused with `error`. The field is never one of the
    kind's text fields.
    """
    part = form.get(PDF_FIELD)
    if part is None:
        return None, None, None
    if isinstance(part, str):
        return None, None, ("a PDF must be sent as a file" if part.strip() else None)
    content = await part.read(MAX_BODY_BYTES + 1)
    if not part.filename and not content:
        return None, None, None
    return content, part.filename or "upload.pdf", None
