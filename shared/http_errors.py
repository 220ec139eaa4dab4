"""HTTP answers for refusals and bad input, the one place they are rendered for HTTP: 422 with
`loc` naming each field for bad input, the reason as `detail` otherwise; zh-CN by default and
English with `Accept-Language: en`."""

from __future__ import annotations

from fastapi import FastAPI, Request, routing
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from shared.errors import Refusal, bilingual, localise, wants_english


def refusal_response(request: Request, refusal: Refusal) -> JSONResponse:
    english = wants_english(request)
    return JSONResponse({"detail": refusal.detail(english)}, status_code=refusal.status)


def _is_bad_input(exc: DBAPIError) -> bool:
    """The database refused a value the client sent (out of range, bad encoding), not a fault.

    By SQLSTATE class 22 (data exception) too: SQLAlchemy's asyncpg adapter passes some of
    them on as a plain `Error` (a NUL in a text parameter, 22021, was a 500 the fuzzer found)."""
    cause = exc.orig.__cause__ if exc.orig is not None else None
    names = {type(exc.orig).__name__, type(cause).__name__}
    sqlstate = str(getattr(cause, "sqlstate", None) or getattr(exc.orig, "sqlstate", None) or "")
    return (
        isinstance(exc, DataError)
        or "DataError" in names
        or sqlstate.startswith("22")
        or "invalid input for query argument" in str(exc)
    )


# The framework's own answers (unknown path, wrong method, a body it cannot parse), said like ours.
FRAMEWORK = {
    "Not Found": ("未找到", "Not Found"),
    "Method Not Allowed": ("不支持此请求方法", "Method Not Allowed"),
}


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path (Starlette's 405 names only the first route
    whose path matched). A path some route names literally is that resource alone, as the
    OpenAPI document says: /api/v1/reports/import is POST, not also GET through
    /api/v1/reports/{tracking_code} (schemathesis' allow_header_conformance)."""
    literal = {
        method.upper()
        for context in routing.iter_route_contexts(request.app.routes)
        if str(context.path_format) == request.url.path
        for method in context.methods or ()
    }
    if literal:
        return [m for m in METHODS if m in literal]
    routes = request.app.router.routes
    return [
        m
        for m in METHODS
        if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)
    ]


def fix_allow(request: Request, exc: HTTPException) -> Response | None:
    """For a 405, the Allow of every route at the path; OPTIONS is then answered 204 (the
    answer to its question), which this returns. Every handler of HTTPException calls it."""
    if exc.status_code != 405:
        return None
    allow = {"Allow": ", ".join(allowed_methods(request))}
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=allow)
    exc.headers = {**(exc.headers or {}), **allow}
    return None


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's and FastAPI's HTTPExceptions in the one refusal shape. Their only 400s are
    bodies they could not parse (a broken form, "Missing boundary in multipart."): bad input,
    422 like a broken JSON body. Our own code refuses with `Refusal`, never HTTPException."""
    assert isinstance(exc, HTTPException)
    english = wants_english(request)
    if (options := fix_allow(request, exc)) is not None:
        return options
    if exc.status_code == 400:
        msg = f"the request body cannot be parsed: {exc.detail}" if english else "请求体无法解析"
        return JSONResponse(
            {"detail": [{"loc": ["body"], "type": "body_invalid", "msg": msg}]}, status_code=422
        )
    zh, en = FRAMEWORK.get(str(exc.detail), (exc.detail, exc.detail))
    return JSONResponse(
        {"detail": en if english else zh}, status_code=exc.status_code, headers=exc.headers
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, on_http_error)

    @app.exception_handler(DBAPIError)
    async def on_database_refusal(request: Request, exc: DBAPIError) -> JSONResponse:
        # A safety net under the edge validation: out-of-range input is the caller's 422.
        if not _is_bad_input(exc):
            raise exc
        english = wants_english(request)
        msg = "a value is out of range or malformed" if english else "参数取值超出范围或格式不正确"
        return JSONResponse(
            {"detail": [{"loc": ["query"], "msg": msg, "type": "value_error"}]}, status_code=422
        )

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        english = wants_english(request)
        errors = localise(jsonable_encoder(exc.errors()), english)
        if english:
            for item in errors:
                item["msg"] = bilingual(item["msg"])[1]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Refusal)
    async def on_refusal(request: Request, exc: Refusal) -> JSONResponse:
        return refusal_response(request, exc)
