"""An alert's page (issue 17): readers in whose view it lies see it and its decisions; the
deciders get a form that records a decision through the JSON route's code (422 and 403 shown on
the page, the form token checked); another county's people see nothing of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.test_reporting_alerts import _alerts, _substantiated
from tests.integration.test_reporting_harness import service
from tests.officials_desk import signed_in

pytestmark = pytest.mark.integration


async def test_deciding_an_alert_on_its_page(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path, alert_threshold=2, alert_window_days=30) as svc:
        scripts = [_substantiated(d, "371403-fpb", "371403") for d in (0, 5)]
        await svc.until_processed(
            await svc.publish(e for s in scripts for e in s.reports + s.events)
        )
        alert = next(a for a in (await _alerts(svc))["items"] if a["scope"] == "unit")
        path, settings, http = (
            f"/dashboard/alerts/{alert['id']}",
            svc.app.state.context.settings,
            svc.http,
        )
        city = await signed_in(svc.js, settings, "city-fpb", "city_office")
        listed = await http.get("/dashboard/alerts", headers=city.headers)
        assert f'href="{path}"' in listed.text
        # This month's units below a scorecard threshold are counted beside the alerts.
        assert 'data-testid="flagged-units"' in listed.text and "办理质效未达标单位" in listed.text
        page = await http.get(path, headers=city.headers)
        assert page.status_code == 200 and 'id="decide"' in page.text
        assert 'data-testid="undecided"' in page.text and 'href="/officials/static/' in page.text
        # Readers in view see it without a form; another county's see nothing (404).
        officer = await signed_in(svc.js, settings, "371403-fpb", "officer")
        seen = await http.get(path, headers=officer.headers)
        assert seen.status_code == 200 and 'id="decide"' not in seen.text
        outsider = await signed_in(svc.js, settings, "371402-fpb", "officer")
        assert (await http.get(path, headers=outsider.headers)).status_code == 404
        form = {"csrf": officer.csrf, "decision": "interview", "target": "unit"}
        refused = await http.post(path, data=form, headers=officer.headers)
        assert refused.status_code == 403 and 'id="form-err"' in refused.text
        form = {"csrf": outsider.csrf, "decision": "interview", "target": "unit"}
        assert (await http.post(path, data=form, headers=outsider.headers)).status_code == 404
        clerk = await signed_in(svc.js, settings, "371403-fpb", "clerk")
        assert (await http.get(path, headers=clerk.headers)).status_code == 403
        # The form token: missing or another session's, refused on the page.
        for csrf in ("", officer.csrf):
            form = {"csrf": csrf, "decision": "interview", "target": "unit"}
            forged = await http.post(path, data=form, headers=city.headers)
            assert forged.status_code == 403 and "表单已过期" in forged.text
        nameless = {"csrf": city.csrf, "decision": "circular", "target": "officials"}
        invalid = await http.post(path, data=nameless, headers=city.headers)
        assert invalid.status_code == 422 and "请列出被追责的人员" in invalid.text
        assert (await _alerts(svc, decided=True))["total"] == 0
        good = {"csrf": city.csrf, "decision": "interview", "target": "officials",
                "officials": "张某，李某", "note": "约谈县扶贫办主要负责人"}  # fmt: skip
        done = await http.post(path, data=good, headers=city.headers)
        assert done.status_code == 303 and done.headers["location"] == f"{path}?decided=1"
        after = await http.get(done.headers["location"], headers=city.headers)
        assert 'data-testid="decided"' in after.text and "约谈" in after.text
        [decided] = (await _alerts(svc, decided=True))["items"]
        [decision] = decided["decisions"]
        assert decision["officials"] == ["张某", "李某"] and decision["decided_unit"] == "city-fpb"
        english = await http.get(f"{path}?lang=en", headers=city.headers)
        assert re.search(r"interview \(talk with the leaders\)", english.text)
