"""The phone and manager pages: server-rendered shells whose scripts call the REST API.

The pages hold no data and check no login: the scripts read the bearer token from the
browser's storage and fetch everything from ``/api/v1``, so a page works the same for every
role and its shell can be cached by the service worker for use without a connection.
"""

# No ``from __future__ import annotations``: a shell's id parameter is annotated with the
# alias of its own path (see _add_shell), which FastAPI could not resolve from a string.

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Cookie, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.config import TEMPLATES_DIR
from app.errors import NotFound
from app.schemas import MAX_ID
from app.web.i18n import LANGS, Lang, pick_lang, strings_for
from app.web.redirects import safe_next

router = APIRouter(tags=["web"])

WEB_DIR = TEMPLATES_DIR / "web"
STATIC_DIR = WEB_DIR / "static"
FONTS_DIR = TEMPLATES_DIR / "fonts"
LANG_COOKIE = "doorstep_lang"
ONE_YEAR = 365 * 24 * 3600

_env = Environment(
    loader=FileSystemLoader(str(WEB_DIR)),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

LangQuery = Annotated[str | None, Query(alias="lang", max_length=8)]
LangCookie = Annotated[str | None, Cookie(alias=LANG_COOKIE, max_length=8)]


@lru_cache
def asset_version() -> str:
    """A short hash of every static file and font: changes whenever one of them does."""
    digest = hashlib.sha256()
    for folder in (WEB_DIR, FONTS_DIR):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(TEMPLATES_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_url(name: str) -> str:
    """The versioned URL of a static file, cacheable for a year."""
    return f"/static/{name}?v={asset_version()}"


def font_css_url() -> str:
    """The versioned URL of the style sheet of the project's font faces."""
    return f"/fonts.css?v={asset_version()}"


def _font_files() -> list[str]:
    if not FONTS_DIR.is_dir():
        return []
    return sorted(p.name for p in FONTS_DIR.iterdir() if p.suffix in {".otf", ".ttf", ".woff2"})


def _font_faces() -> list[dict[str, str | int]]:
    """One @font-face per file of the project's font, its weight read from the file name."""
    return [
        {"file": name, "weight": 700 if "bold" in name.lower() else 400} for name in _font_files()
    ]


@dataclass(frozen=True)
class Shell:
    """A page whose shell is the same for every user: its template, the page name its script
    goes by and the key of its title; ``id_name`` names the path's id handed to the script."""

    path: str
    template: str
    page: str
    title_key: str
    id_name: str | None = None


# What each page shows; in this order, as /campaigns/new must come before /campaigns/{id}.
SHELLS = (
    # Sends the user on by role: staff to their rounds, officers and managers to campaigns.
    Shell("/", "home.html", "home", "loading"),
    # Today's and upcoming rounds and events of the user.
    Shell("/schedule", "schedule.html", "schedule", "schedule_title"),
    # A round's households laid out by unit and floor, one tap per outcome.
    Shell("/rounds/{round_id}", "round.html", "round", "round_title", "round_id"),
    # Attendance at a convenience-service event, recorded by household code.
    Shell("/events/{event_id}", "by_code.html", "event", "event_title", "event_id"),
    # Walk-ins at the service centre, recorded by household code.
    Shell("/walk-in", "by_code.html", "walk_in", "walkin_title"),
    # The campaigns of every community the user plans or manages.
    Shell("/campaigns", "campaigns.html", "campaigns", "campaigns_title"),
    # A new campaign: dates, target, topics from the catalogue.
    Shell("/campaigns/new", "campaign_new.html", "campaign_new", "new_campaign_title"),
    # A campaign's progress: coverage, by building and day, gaps, incidents, downloads.
    Shell("/campaigns/{campaign_id}", "campaign.html", "campaign", "progress_title", "campaign_id"),
    # A campaign's week board, availability patterns and the planner's proposal.
    Shell("/campaigns/{campaign_id}/plan", "plan.html", "plan", "plan_title", "campaign_id"),
    # The officer's pages.
    Shell("/office", "office.html", "office", "office_title"),
    Shell("/incidents", "incidents.html", "incidents", "incidents_page_title"),
    Shell("/members", "members.html", "members", "members_title"),
    Shell("/registry", "registry.html", "registry", "registry_title"),
    Shell("/warnings", "warnings.html", "warnings", "warnings_page_title"),
)
LOGIN = Shell("/login", "login.html", "login", "login_title")


def _render(
    request: Request,
    template: str,
    *,
    lang: Lang,
    page: str,
    title_key: str,
    data: dict[str, object] | None = None,
    lang_from_query: bool = False,
) -> HTMLResponse:
    strings = strings_for(lang)
    other = "en" if lang == "zh" else "zh"
    body = _env.get_template(template).render(
        lang=lang,
        html_lang="zh-CN" if lang == "zh" else "en",
        other_lang=other,
        other_lang_url=f"{request.url.path}?lang={other}",
        t=strings,
        title=strings[title_key],
        page=page,
        static_url=static_url,
        version=asset_version(),
        font_css_url=font_css_url(),
        # Boot data rides in <body data-boot>, escaped as an attribute: no inline script.
        boot_json=json.dumps(
            {"lang": lang, "page": page, "strings": strings, "data": data or {}},
            ensure_ascii=False,
        ),
    )
    response = HTMLResponse(body, headers={"Cache-Control": "no-cache"})
    if lang_from_query:
        response.set_cookie(LANG_COOKIE, lang, max_age=ONE_YEAR, samesite="lax")
    return response


def _page(
    request: Request,
    shell: Shell,
    *,
    lang_query: str | None,
    lang_cookie: str | None,
    data: dict[str, object] | None = None,
) -> HTMLResponse:
    lang = pick_lang(lang_query, lang_cookie)
    return _render(
        request,
        shell.template,
        lang=lang,
        page=shell.page,
        title_key=shell.title_key,
        data=data,
        lang_from_query=lang_query in LANGS,
    )


def _add_shell(shell: Shell) -> None:
    """Register the GET handler of one page shell (``show_<page>``)."""

    def show(request: Request, lang: LangQuery = None, cookie: LangCookie = None) -> HTMLResponse:
        return _page(request, shell, lang_query=lang, lang_cookie=cookie)

    def show_with_id(
        request: Request,
        ident: Annotated[int, PathParam(alias=shell.id_name, ge=1, le=MAX_ID)],
        lang: LangQuery = None,
        cookie: LangCookie = None,
    ) -> HTMLResponse:
        data: dict[str, object] = {str(shell.id_name): ident}
        return _page(request, shell, lang_query=lang, lang_cookie=cookie, data=data)

    handler = show if shell.id_name is None else show_with_id
    handler.__doc__ = f"The {shell.page} page's shell (see SHELLS)."
    router.add_api_route(
        shell.path,
        handler,
        methods=["GET"],
        response_class=HTMLResponse,
        include_in_schema=False,
        name=f"show_{shell.page}",
    )


@router.get(LOGIN.path, response_class=HTMLResponse, include_in_schema=False)
def show_login(
    request: Request,
    lang: LangQuery = None,
    cookie: LangCookie = None,
    next_path: Annotated[str | None, Query(alias="next", max_length=2048)] = None,
) -> Response:
    """The login form; a ``next`` that is not a path of this site is dropped (303 to /login)."""
    if next_path is not None and safe_next(next_path) is None:
        query = f"?lang={lang}" if lang in LANGS else ""
        return RedirectResponse(f"{LOGIN.path}{query}", status_code=303)
    return _page(request, LOGIN, lang_query=lang, lang_cookie=cookie)


for _shell in SHELLS:
    _add_shell(_shell)


@router.get("/sw.js", include_in_schema=False)
def get_service_worker() -> Response:
    """The service worker, served from the root so that it may keep every page's shell."""
    body = _env.get_template("sw.js").render(
        version=asset_version(),
        assets=[static_url(p.name) for p in sorted(STATIC_DIR.iterdir()) if p.is_file()]
        + [font_css_url()],
    )
    return Response(
        body,
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


def _file_under(folder: Path, name: str) -> Path:
    """A file inside ``folder`` by relative name; anything outside it, or missing, is 404."""
    base = folder.resolve()
    try:
        path = (base / name).resolve()
        found = path.is_relative_to(base) and path.is_file()
    except (ValueError, OSError):  # a NUL in the name, a name too long for the file system
        found = False
    if not found:
        raise NotFound("No such file")
    return path


def _cached_file(path: Path, versioned: bool) -> FileResponse:
    cache = f"public, max-age={ONE_YEAR}, immutable" if versioned else "no-cache"
    return FileResponse(path, headers={"Cache-Control": cache})


@router.get("/static/{name:path}", include_in_schema=False)
def get_static(name: str, v: Annotated[str | None, Query(max_length=64)] = None) -> FileResponse:
    """A script or style sheet of the pages."""
    return _cached_file(_file_under(STATIC_DIR, name), v is not None)


@lru_cache
def _font_css() -> str:
    return _env.get_template("fonts.css").render(fonts=_font_faces(), version=asset_version())


@router.get("/fonts.css", include_in_schema=False)
def get_font_css(v: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """The @font-face rules of the project's font (a file, so pages need no inline style)."""
    body = _font_css()
    cache = f"public, max-age={ONE_YEAR}, immutable" if v is not None else "no-cache"
    return Response(body, media_type="text/css", headers={"Cache-Control": cache})


@router.get("/fonts/{name}", include_in_schema=False)
def get_font(name: str, v: Annotated[str | None, Query(max_length=64)] = None) -> FileResponse:
    """The project's own CJK font, so that Chinese renders on any machine."""
    return _cached_file(_file_under(FONTS_DIR, name), v is not None)
