"""The layout's data and the Jinja environment that finds it (see the package docstring)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from shared.directory import load_directory
from shared.websession.pages import PageSession

HERE = Path(__file__).resolve().parent
STATIC = "/officials/static"
ALL = ("clerk", "officer", "leader", "supervisor", "city_office", "inspector", "auditor")
HANDLERS = ("officer", "leader", "supervisor", "city_office", "inspector")

# (service, path, zh-CN, English, roles that see the link) — the one list of officials' pages.
NAV: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("cases", "/workbench", "工作台", "Workbench", HANDLERS),
    ("cases", "/approvals", "待审批", "Approvals", ("leader", "supervisor", "city_office")),
    ("cases", "/triage", "分办", "Triage", ("city_office",)),
    ("cases", "/transfers", "移送", "Transfers", ("city_office",)),
    ("cases", "/exposure-board", "曝光", "Exposures", ("city_office",)),
    ("intake", "/desk", "来件登记", "Desk", ("clerk", "city_office")),
    ("notify", "/inbox", "通知", "Inbox", HANDLERS),
    ("reporting", "/dashboard", "统计", "Figures", ALL),
    ("cases", "/audit", "审计", "Audit", ("auditor",)),
    # The Women's Federation's programmes (issue 23): officers review aid applications, village
    # cadres submit them; both see their county's programme records.
    (
        "federation",
        "/federation/applications",
        "两癌救助",
        "Aid applications",
        ("federation_officer",),
    ),
    (
        "federation",
        "/federation/submit",
        "提交申请",
        "Submit an application",
        ("federation_officer", "village_cadre"),
    ),
    (
        "federation",
        "/federation/schools",
        "项目台账",
        "Programme records",
        ("federation_officer", "village_cadre"),
    ),
    # The programmes' figures per county, counted by reporting from federation's events.
    (
        "reporting",
        "/dashboard/programmes",
        "项目统计",
        "Programme figures",
        ("federation_officer",),
    ),
)
ROLE_WORDS = {
    "clerk": ("登记员", "clerk"),
    "officer": ("承办人", "officer"),
    "leader": ("分管领导", "leader"),
    "supervisor": ("督查人员", "supervisor"),
    "city_office": ("市专项治理办", "city office"),
    "inspector": ("纪检监察", "inspector"),
    "auditor": ("审计员", "auditor"),
    "integrator": ("系统对接", "integrator"),
    "federation_officer": ("妇联干部", "federation officer"),
    "village_cadre": ("村妇联干部", "village women's federation cadre"),
}


def templates(service_dir: Path) -> Jinja2Templates:
    """A service's templates, able to extend `officials/layout.html`."""
    found = Jinja2Templates(directory=str(service_dir))
    found.env.loader = ChoiceLoader(
        [FileSystemLoader(str(service_dir)), FileSystemLoader(str(HERE / "templates"))]
    )
    return found


def mount(app: FastAPI) -> None:
    app.mount(STATIC, StaticFiles(directory=HERE / "static"), name="officials-static")


def frame(request: Request, settings: Any, session: PageSession | None, english: bool,
          service: str) -> dict[str, Any]:  # fmt: skip
    """What `officials/layout.html` needs: put it in the template's context."""
    role = session.claims.role if session else ""
    here = (service, request.url.path)
    nav = [
        {
            "href": settings.page_url(svc, path) + ("?lang=en" if english else ""),
            "label": en if english else zh,
            "current": (svc, path) == here,
        }
        for svc, path, zh, en, roles in NAV
        if role in roles
    ]
    switch = dict(request.query_params) | {"lang": "" if english else "en"}
    query = "&".join(f"{k}={v}" for k, v in switch.items() if v and k != "csrf")
    return {
        "lang": "en" if english else "zh-CN",
        "english": english,
        "nav": nav,
        "person": session.claims.name or session.claims.sub if session else "",
        "role_word": ROLE_WORDS.get(role, (role, role))[1 if english else 0],
        "unit": _unit_name(session.claims.unit, english) if session else "",
        "csrf": session.csrf if session else "",
        "signout_url": settings.page_url("cases", "/signout"),
        "lang_switch": request.url.path + (f"?{query}" if query else ""),
        "static": STATIC,
    }


def _unit_name(unit_id: str, english: bool) -> str:
    """The unit as people call it (the directory's name), its id when unknown."""
    return load_directory().name_of(unit_id, english)
