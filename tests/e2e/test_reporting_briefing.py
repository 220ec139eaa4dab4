"""The monthly briefing (工作通报) over the dashboard's download and the command: a valid .docx
whose tables equal GET /api/v1/stats for the month, and a PDF (embedded Noto CJK) with the same
figures and the summary's words; its section of units below the scorecard thresholds names the
flagged units of GET /api/v1/scorecards for the month, with the same rates."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from typer.testing import CliRunner

from services.reporting import cli
from services.reporting.metrics.refresh import take
from services.reporting.scorecards.figures import Thresholds
from shared.db import Database
from shared.directory import load_directory
from shared.events.cases import CaseRated
from tests.e2e.briefing_files import (
    FIELDS,
    docx_tables,
    docx_text,
    expected_rows,
    flagged_rows,
    pdf_text,
    table_rows,
)
from tests.e2e.test_reporting_dashboard import _until_counted, served
from tests.integration.busutil import eventually
from tests.integration.test_reporting_harness import (
    CaseScript,
    everything,
    recount,
    token,
    world,
)
from tests.pg import PgServer, in_thread

pytestmark = pytest.mark.e2e
MONTH, FIRST, LAST = "2018-04", "2018-04-01", "2018-04-30"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Well inside April in Asia/Shanghai too.
APRIL = (datetime(2018, 4, 2, tzinfo=UTC), datetime(2018, 4, 29, tzinfo=UTC))


@pytest.fixture
def briefing_db(pg_server: PgServer) -> str:
    return in_thread(pg_server.create_database())


async def test_the_briefing_has_the_stats_apis_figures(
    briefing_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.bus import publish_envelope

    scripts = world(random.Random(25), cases=60, days=90)
    rated = _rate(scripts)
    events = everything(scripts)
    counties = dict(load_directory().counties())
    async with served(briefing_db, tmp_path) as (base, js, _):
        for envelope in events:
            await publish_envelope(js, envelope)
        await _until_counted(base, recount(events, "county")["totals"])
        async with httpx.AsyncClient(base_url=base, headers=token(), timeout=60) as http:
            month = {"from": FIRST, "to": LAST}
            by_county = (await http.get("/api/v1/stats", params=month)).json()
            cards: dict[str, Any] = {}

            async def all_rated() -> bool:
                period = {"period": MONTH, "group_by": "unit"}
                cards.update((await http.get("/api/v1/scorecards", params=period)).json())
                return sum(item["rated"] for item in cards["items"]) == rated

            await eventually(all_rated, timeout=30)
            listed = (await http.get("/api/v1/alerts")).json()
            docx = await http.get("/dashboard/briefing", params={"month": MONTH})
            pdf = await http.get("/dashboard/briefing", params={"month": MONTH, "format": "pdf"})
            bad = await http.get("/dashboard/briefing", params={"month": "2018-13"})
            officer = token("371402-fpb", "officer")
            refused = await http.get("/dashboard/briefing?month=2018-04", headers=officer)
        assert bad.status_code == 422 and "month" in bad.text
        assert refused.status_code == 403
    assert docx.status_code == 200 and docx.headers["content-type"].endswith("document")
    assert by_county["totals"]["cases"] > 0
    tables = docx_tables(docx.content)
    assert table_rows(tables[0]) == expected_rows(by_county, lambda k: counties.get(k, k))
    text = docx_text(docx.content)
    assert "工作通报" in text and f"立案{by_county['totals']['cases']}件" in text
    assert pdf.content.startswith(b"%PDF") and "NotoSerifCJK" in pdf.content.decode("latin-1")
    printed = pdf_text(pdf.content)
    assert f"立案{by_county['totals']['cases']}件" in printed
    for name, figures in expected_rows(by_county, lambda k: counties.get(k, k)).items():
        assert name + "".join(figures) in printed.replace("\n", ""), name
    flagged = flagged_rows(cards)
    assert cards["flagged"] == len(flagged) > 0
    below = next(t for t in tables if t[0][0] == "承办单位" and t[0][-1] == "未达标指标")
    assert below[1:] == flagged
    assert (
        "三、办理质效未达标单位" in docx_text(docx.content) and "三、办理质效未达标单位" in printed
    )
    for row in flagged:
        assert row[0] in printed.replace("\n", ""), row[0]
        assert "".join(row[1:5]) in printed.replace("\n", ""), row
    # Counted with the accountability alerts: this month's in the listing, and the gauge's
    # snapshot taken as of April counts April's flagged units.
    assert listed["scorecards"]["period"] == datetime.now(SHANGHAI).strftime("%Y-%m")
    db = Database(briefing_db)
    try:
        async with db.sessions() as session:
            snap = await take(session, Thresholds(), datetime(2018, 4, 15, tzinfo=UTC))
    finally:
        await db.dispose()
    assert snap.flagged_units == {MONTH: cards["flagged"]}
    monkeypatch.setenv("ZUOFENG_REPORTING_DATABASE_URL", briefing_db)
    out = tmp_path / "b.docx"
    args = ["briefing", "--month", MONTH, "--county", "371402", "--format", "docx", "--out", out]
    ran = await asyncio.to_thread(CliRunner().invoke, cli.app, [str(a) for a in args])
    assert ran.exit_code == 0, ran.output
    county_totals = next(g for g in by_county["groups"] if g["key"] == "371402")
    total_row = docx_tables(out.read_bytes())[0][-1]
    assert total_row == ["合计", *(str(county_totals[f]) for f in FIELDS)]


def _rate(scripts: list[CaseScript]) -> int:
    """The reporter rates each case whose last step fell in April, unsatisfied and satisfied in
    turn (reporting scores what the events say): a unit with more unsatisfied than satisfied
    falls below the satisfaction threshold."""
    n = 0
    for script in scripts:
        last = script.events[-1].occurred_at
        if APRIL[0] <= last <= APRIL[1]:
            rating = ("unsatisfied", "satisfied")[n % 2]
            script.emit(CaseRated, last + timedelta(minutes=1), rating=rating)
            n += 1
    assert n >= 2, "the seeded world has cases finished in April"
    return n
