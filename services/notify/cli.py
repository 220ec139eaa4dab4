"""Notices: preview their wording, and a local receiver to watch signed webhooks arrive."""

from __future__ import annotations

import hmac
import json
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Annotated

import typer

from services.notify.audiences import REPORTER_AUDIENCES, RULES
from services.notify.channels import sign
from services.notify.rendering import LANGUAGES, render
from services.notify.samples import SAMPLE, case_types, sample_payload
from services.notify.supervision.audiences import RULES as SUPERVISED
from services.notify.supervision.samples import samples as supervision_samples
from services.notify.supervision.wording import render_supervised
from shared.directory import load_directory

app = typer.Typer(no_args_is_help=True)


@app.command()
def preview(
    event_type: Annotated[
        str, typer.Argument(help="a case, task or inspection event type, e.g. case.concluded")
    ],
    audience: Annotated[str | None, typer.Option(help="one audience (default: all)")] = None,
    lang: Annotated[str | None, typer.Option(help="zh-CN or en (default: both)")] = None,
) -> None:
    """Render the notices of an event type with sample values, for each audience it has."""
    if event_type in SUPERVISED:  # a task's or an inspection's (issue 22)
        _preview_supervised(event_type, audience, lang)
        return
    if event_type not in case_types():
        typer.echo(f"unknown case event type {event_type!r}; one of {', '.join(case_types())}")
        raise typer.Exit(2)
    audiences = [_template_audience(a) for a in RULES.get(event_type, ())]
    if audience is not None:
        audiences = [a for a in audiences if a == audience]
    if not audiences:
        typer.echo(f"{event_type}: no one is told (webhook subscribers get the event itself)")
        raise typer.Exit(0 if audience is None else 2)
    payload = sample_payload(event_type)
    extra = {"reported_on": SAMPLE["received_at"]}
    for name in dict.fromkeys(audiences):
        for language in [lang] if lang else LANGUAGES:
            message = render(event_type, name, payload, language, extra=extra)
            typer.echo(f"== {event_type} · {name} · {language}")
            typer.echo(f"Subject: {message.subject}\nSMS: {message.sms}\n\n{message.body}")


def _preview_supervised(event_type: str, audience: str | None, lang: str | None) -> None:
    payload, directory = supervision_samples()[event_type], load_directory()
    names = [a for a in SUPERVISED[event_type] if audience in (None, a)]
    if not names:
        typer.echo(f"{event_type}: no audience {audience!r}")
        raise typer.Exit(2)
    for name in names:
        for language in [lang] if lang else LANGUAGES:
            message = render_supervised(event_type, name, payload, language, directory=directory)
            typer.echo(f"== {event_type} · {name} · {language}")
            typer.echo(f"Subject: {message.subject}\nSMS: {message.sms}\n\n{message.body}")


def _template_audience(audience: str) -> str:
    return "reporter" if audience in REPORTER_AUDIENCES else audience


@app.command("webhook-echo")
def webhook_echo(
    port: Annotated[int, typer.Option(help="port to listen on (127.0.0.1)")] = 8099,
    secret: Annotated[str | None, typer.Option(help="the subscription's secret")] = None,
) -> None:
    """Print each webhook delivery received, and whether its signature verifies."""

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            timestamp = self.headers.get("X-Zuofeng-Timestamp", "")
            given = self.headers.get("X-Zuofeng-Signature", "")
            ok = (
                "unchecked"
                if secret is None
                else hmac.compare_digest(given, sign(secret, timestamp, body))
            )
            event = json.loads(body or b"{}")
            typer.echo(
                f"{self.headers.get('X-Zuofeng-Delivery')} {event.get('type')} "
                f"case={event.get('aggregate_id')} signature={ok}"
            )
            self.send_response(200 if ok is not False else 401)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    typer.echo(f"listening on http://127.0.0.1:{port}/ (Ctrl-C stops)")
    with HTTPServer(("127.0.0.1", port), Receiver) as server:
        server.serve_forever()
