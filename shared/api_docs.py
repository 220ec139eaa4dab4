"""/docs (Swagger UI) and /redoc (ReDoc) with no CDN: the assets come from the pinned
`fastapi-offline` wheel's static folder and are served by the service itself, under a content
security policy that allows those and nothing else.

FastAPI's default pages load their scripts from a CDN and start them with an inline script;
our CSP (shared.headers) blocks both, so the pages were blank. Here each page's starter is a
small script of ours, served beside the assets, so no inline script is needed.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException

ASSETS = "/docs-assets"
STATIC = Path(str(files("fastapi_offline") / "static"))
SHIPPED = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
STARTERS = {
    "swagger-init.js": (
        "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui',"
        " presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout', deepLinking: true,"
        " validatorUrl: null, persistAuthorization: false});\n"
    ),
    "redoc-init.js": ("Redoc.init('/openapi.json', {}, document.getElementById('redoc'));\n"),
}
# Scripts, styles and images from this origin only; both UIs set inline styles, ReDoc runs its
# search in a worker it makes from a blob. Nothing reaches past the service.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="{assets}/favicon.png">{head}</head>
<body>{body}</body></html>
"""


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = PAGE.format(title=title, assets=ASSETS, head=head, body=body)
    return HTMLResponse(html, headers={"content-security-policy": POLICY})


def install(app: FastAPI) -> None:
    """Replace FastAPI's CDN pages with ours (same paths). Plain routes, as FastAPI's own were:
    no dependencies, not in the document."""
    defaults = {"/docs", "/docs/oauth2-redirect", "/redoc"}
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", "") not in defaults]
    title = app.title

    async def swagger(request: Request) -> HTMLResponse:
        head = f'<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">'
        body = (
            f'<div id="swagger-ui"></div><script src="{ASSETS}/swagger-ui-bundle.js"></script>'
            f'<script src="{ASSETS}/swagger-init.js"></script>'
        )
        return _page(f"{title} – API", head, body)

    async def redoc(request: Request) -> HTMLResponse:
        body = (
            f'<div id="redoc"></div><script src="{ASSETS}/redoc.standalone.js"></script>'
            f'<script src="{ASSETS}/redoc-init.js"></script>'
        )
        return _page(f"{title} – API", "", body)

    async def asset(request: Request) -> Response:
        # Only the named files: no path from the request reaches the file system.
        name = request.path_params["name"]
        if name in STARTERS:
            return Response(STARTERS[name], media_type="text/javascript")
        if name not in SHIPPED:
            raise HTTPException(404, "Not Found")
        headers = {"cache-control": "public, max-age=86400"}
        return FileResponse(STATIC / name, media_type=SHIPPED[name], headers=headers)

    app.add_route("/docs", swagger, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
    app.add_route(ASSETS + "/{name}", asset, include_in_schema=False)
