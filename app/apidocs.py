"""`/docs` served from Doorstep's own copy of Swagger UI, so it works with no internet.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script; this
one serves the files of the ``swagger-ui-bundle-v2`` package under ``/docs/assets`` and starts
them with a script file of ours (no inline script, nothing from another host).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from app.config import TEMPLATES_DIR

DOCS_DIR = TEMPLATES_DIR / "apidocs"
ASSETS_DIR = Path(str(swagger_ui_path))
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"


@lru_cache
def _version() -> str:
    digest = hashlib.sha256((DOCS_DIR / "doorstep-docs.js").read_bytes())
    digest.update(ASSETS_DIR.name.encode())
    return digest.hexdigest()[:12]


def install_docs(app: FastAPI) -> None:
    """Add ``/docs``, its OAuth2 redirect page and its assets (the app needs ``docs_url=None``)."""
    page = (DOCS_DIR / "docs.html").read_text()

    @app.get(DOCS_URL, include_in_schema=False)
    def docs() -> HTMLResponse:
        html = page.format(
            version=_version(),
            openapi_url=app.openapi_url,
            oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    def oauth2_redirect() -> FileResponse:
        return FileResponse(ASSETS_DIR / "oauth2-redirect.html", media_type="text/html")

    @app.get(f"{OAUTH2_REDIRECT_URL}.js", include_in_schema=False)
    def oauth2_redirect_script() -> FileResponse:
        return FileResponse(ASSETS_DIR / "oauth2-redirect.js", media_type="text/javascript")

    @app.get(f"{DOCS_URL}/assets/doorstep-docs.js", include_in_schema=False)
    def docs_script() -> FileResponse:
        return FileResponse(DOCS_DIR / "doorstep-docs.js", media_type="text/javascript")

    app.mount(f"{DOCS_URL}/assets", StaticFiles(directory=ASSETS_DIR), name="docs-assets")
