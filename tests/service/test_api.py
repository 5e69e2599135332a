"""The push API against the running service (`streamlit run app.py`), with a real HTTP client (httpx).

Every endpoint and every refusal: a missing, wrong, revoked or other-agency token (401/403,
audited, nothing stored), an unknown kind, a body that is not multipart or is malformed, a file
over the size limit (413), too many calls (429), two pushes at once. And a pushed file gives the
same report and the same rows as the same file uploaded through the core the upload page uses.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from conftest import copy_database

from tracker.access import tokens
from tracker.access.roles import User
from tracker.ingest.upload_json import report_json
from tracker.ingest.uploads import commit_upload
from tracker.store.db import Database
from tracker.store.settings import write_setting

ROOT = Path(__file__).resolve().parents[2]
RATE = 40
HEADER = "po_number,line_no,agency_code,agency_name,supplier,item_description,category,quantity,unit_price,total_amount,currency,order_date"


def _csv(prefix: str, bad: bool = False) -> bytes:
    rows = [
        f"{prefix}-1,1,A001,City Education Bureau,Lenovo,ThinkPad E14 laptop,laptop,2,5499.00,10998.00,CNY,2025-03-04",
        f"{prefix}-1,2,A001,City Education Bureau,HP,LaserJet M208dw printer,printer,1,1150.00,1150.00,CNY,2025-03-04",
    ]
    if bad:
        rows.append(f"{prefix}-2,1,A001,City Education Bureau,Dell,OptiPlex desktop,desktop,many,4200.00,4200.00,CNY,2025-03-05")
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def service(dashboard_demo_file, tmp_path_factory):
    """The service on a copy of the demo database (1 MB upload limit), its tokens, and an untouched twin of it."""
    directory = tmp_path_factory.mktemp("service")
    served, twin = directory / "served.duckdb", directory / "twin.duckdb"
    copy_database(dashboard_demo_file, served)
    with Database.open(served) as db:
        write_setting(db, "max_upload_mb", "1", "1024", "test")
        made = {
            "a001": tokens.create_token(db, "a001-nightly", "agency", agency="A001", actor="test").secret,
            "a002": tokens.create_token(db, "a002-nightly", "agency", agency="A002", actor="test").secret,
            "auditor": tokens.create_token(db, "audit-reader", "auditor", actor="test").secret,
            "revoked": tokens.create_token(db, "old-job", "agency", agency="A001", actor="test").secret,
            "burst": tokens.create_token(db, "burst", "auditor", actor="test").secret,
        }
        tokens.revoke_token(db, "old-job", actor="test")
        db.execute("CHECKPOINT", name="checkpoint")
    copy_database(served, twin)
    port = _free_port()
    log_path = directory / "service.log"
    log = open(log_path, "w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
        + ["--server.fileWatcherType", "none"],
        cwd=ROOT,
        env=dict(os.environ, TRACKER_DB=str(served), TRACKER_API_RATE=str(RATE)),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=url, timeout=120)
    try:
        for _ in range(240):
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                pytest.fail("the service did not start: " + log_path.read_text(encoding="utf-8")[-2000:])
            threading.Event().wait(0.5)
        yield {"client": client, "tokens": made, "served": served, "twin": twin, "process": process, "log": log_path}
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _push(service, token_name: str, content: bytes, *, name: str = "orders.csv", kind: str = "procurement", **params):
    return service["client"].post(
        f"/api/v1/uploads/{kind}",
        params=params,
        files={"file": (name, content, "text/csv")},
        headers=_auth(service["tokens"][token_name]),
    )


def test_health_and_the_openapi_description_need_no_token(service):
    client = service["client"]
    health = client.get("/api/health")
    assert health.status_code == 200 and health.json()["status"] == "ok" and health.json()["schema_version"] >= 12
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/health", "/api/v1/uploads/{kind}", "/api/v1/uploads/{upload_id}", "/api/v1/findings"} <= set(spec["paths"])


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({}, 401, "missing"),
        ({"Authorization": "Bearer not-a-token"}, 401, "malformed"),
        ({"Authorization": "Bearer trk_1_" + "A" * 43}, 401, "unknown"),
        ("revoked", 401, "revoked"),
        ("auditor", 403, "role"),
    ],
)
def test_a_push_without_a_valid_token_for_uploads_is_refused(service, headers, status, reason):
    if isinstance(headers, str):
        headers = _auth(service["tokens"][headers])
    response = service["client"].post(
        "/api/v1/uploads/procurement", files={"file": ("x.csv", _csv("REFUSED"), "text/csv")}, headers=headers
    )
    assert response.status_code == status
    assert response.json()["reason"] == reason and response.json()["error"]
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


def test_an_agency_token_pushes_for_its_own_agency_only(service):
    response = _push(service, "a001", _csv("OTHER-AGENCY"), agency="A002", lang="zh")
    assert response.status_code == 403
    assert "A002" in response.json()["error"] and "本单位" in response.json()["error"]
    response = service["client"].get("/api/v1/findings", headers=_auth(service["tokens"]["a001"]))
    assert response.status_code == 403 and response.json()["reason"] == "role"


def test_bad_requests_are_refused_with_a_reason(service):
    client, a001 = service["client"], _auth(service["tokens"]["a001"])
    unknown = client.post("/api/v1/uploads/invoices", files={"file": ("x.csv", b"a,b\n", "text/csv")}, headers=a001)
    assert unknown.status_code == 404 and "procurement, assets, usage" in unknown.json()["error"]
    plain = client.post("/api/v1/uploads/procurement", content=_csv("PLAIN"), headers={**a001, "Content-Type": "text/csv"})
    assert plain.status_code == 415
    broken = client.post(
        "/api/v1/uploads/procurement",
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nabc',  # never closed
        headers={**a001, "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert broken.status_code == 400 and broken.json()["reason"] in ("malformed_multipart", "no_file")
    no_file = client.post(
        "/api/v1/uploads/procurement", data={"partial": "true"}, files={"other": ("", b"", "text/plain")}, headers=a001
    )
    assert no_file.status_code == 400 and no_file.json()["reason"] == "no_file"
    for params in (
        {"format": "xml"},
        {"as_of": "yesterday"},
        {"window_days": "-3"},
        {"window_days": "0"},
        {"window_days": "3654"},  # one day over the ten years the dashboard and the command line allow
        {"window_days": "٣٠"},  # digits of another script
    ):
        bad = client.get("/api/v1/findings", params=params, headers=_auth(service["tokens"]["auditor"]))
        assert bad.status_code == 400 and bad.json()["reason"] == "parameter", params
    edge = client.get("/api/v1/findings", params={"window_days": "3653"}, headers=_auth(service["tokens"]["auditor"]))
    assert edge.status_code == 200


def test_a_body_over_the_limit_is_refused_before_it_is_read(service):
    big = b"x" * 2_000_000  # the limit is 1 MB
    response = _push(service, "a001", big, name="big.csv")
    assert response.status_code == 413 and "1 MB" in response.json()["error"]

    def chunks():  # no Content-Length: the read stops at the limit
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(40):
            yield b"y" * 100_000

    response = service["client"].post(
        "/api/v1/uploads/procurement",
        content=chunks(),
        headers={**_auth(service["tokens"]["a001"]), "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413


def test_rows_refused_store_nothing_and_partial_stores_the_good_ones(service):
    refused = _push(service, "a001", _csv("PUSH-BAD", bad=True), name="bad.csv", lang="zh")
    assert refused.status_code == 422
    body = refused.json()
    assert body["status"] == "rejected" and body["stored"] is False and body["upload_id"] is None
    assert body["counts"]["read"] == 3 and body["counts"]["rejected"] == 1
    [problem] = body["rejected_rows"]
    assert problem["row"] == 4 and problem["column"] == "quantity" and problem["value"] == "many"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["reason"])  # in the language asked for

    partial = _push(service, "a001", _csv("PUSH-BAD", bad=True), name="bad.csv", partial="true")
    assert partial.status_code == 201
    stored = partial.json()
    assert stored["status"] == "partial" and stored["counts"]["inserted"] == 2 and stored["upload_id"]

    again = service["client"].get(f"/api/v1/uploads/{stored['upload_id']}", headers=_auth(service["tokens"]["a001"]))
    assert again.status_code == 200
    read_back = again.json()
    assert read_back["counts"] == stored["counts"] and read_back["status"] == "partial"
    assert read_back["rejected_rows"] == stored["rejected_rows"]
    assert read_back["uploaded_by"] == "token:a001-nightly"
    other = service["client"].get(f"/api/v1/uploads/{stored['upload_id']}", headers=_auth(service["tokens"]["a002"]))
    assert other.status_code == 404  # another agency's upload is not there for it
    missing = service["client"].get("/api/v1/uploads/999999", headers=_auth(service["tokens"]["a001"]))
    assert missing.status_code == 404


def test_findings_as_csv_and_json_for_an_auditor(service):
    client, auditor = service["client"], _auth(service["tokens"]["auditor"])
    as_json = client.get("/api/v1/findings", params={"format": "json"}, headers=auditor)
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    rows = as_json.json()
    assert rows and {"rule", "agency_code", "value_at_stake"} <= set(rows[0])
    as_csv = client.get("/api/v1/findings", params={"agency": "A001"}, headers=auditor)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    lines = as_csv.text.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("flag_id") or "rule" in lines[0]
    assert len(lines) - 1 == len([r for r in rows if r["agency_code"] == "A001"])


def test_two_pushes_at_once_are_both_stored_one_after_the_other(service):
    results = []

    def push(prefix: str) -> None:
        results.append(_push(service, "a001", _csv(prefix), name=f"{prefix}.csv"))

    threads = [threading.Thread(target=push, args=(p,)) for p in ("AT-ONCE-A", "AT-ONCE-B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in results) == [201, 201]
    assert len({r.json()["upload_id"] for r in results}) == 2
    assert all(r.json()["counts"]["inserted"] == 2 for r in results)


def test_too_many_calls_with_one_token_are_refused_for_a_while(service):
    client, burst = service["client"], _auth(service["tokens"]["burst"])
    statuses = [client.get("/api/v1/uploads/1", headers=burst).status_code for _ in range(RATE + 1)]
    assert statuses[:RATE].count(429) == 0 and statuses[RATE] == 429
    refused = client.get("/api/v1/uploads/1", headers=burst)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert client.get("/api/health").status_code == 200  # other callers are not slowed


def test_an_inventory_export_arrives_the_same_way(service, shared_fixtures, dashboard_demo_file, tmp_path):
    """A GLPI computer inventory pushed as usage gives what the upload page's core gives for it."""
    import io

    from tracker.text.errors import TrackerError

    content = (shared_fixtures / "glpi" / "computer_1.json").read_bytes()
    pushed = service["client"].post(
        "/api/v1/uploads/usage",
        params={"partial": "true", "lang": "zh"},
        files={"file": ("computer_1.json", content, "application/json")},
        headers=_auth(service["tokens"]["a001"]),
    )
    copy_database(dashboard_demo_file, tmp_path / "beside.duckdb")
    with Database.open(tmp_path / "beside.duckdb") as beside:
        agency_user = User("token:a001-nightly", "agency", "A001", "a001-nightly")
        try:
            report = commit_upload(
                beside, io.BytesIO(content), "computer_1.json", "usage", size_bytes=len(content), actor=agency_user, partial=True
            )
        except TrackerError as refused:
            assert pushed.status_code == 422 and pushed.json()["error"] == refused.text("zh")
        else:
            expected = report_json(report, "zh")
            got = pushed.json()
            assert pushed.status_code in (200, 201, 422)
            assert got["counts"] == expected["counts"] and got["notes"] == expected["notes"]
            assert got["rejected_rows"] == expected["rejected_rows"] and got["status"] == expected["status"]


def test_zz_a_pushed_file_gives_the_same_report_and_rows_as_the_upload_page(service):
    """Runs last: stops the service to read its database beside the twin."""
    content = _csv("SAME-FILE", bad=True)
    pushed = _push(service, "a001", content, name="same.csv", partial="true")
    assert pushed.status_code == 201
    service["process"].terminate()
    service["process"].wait(timeout=30)
    assert "Traceback" not in service["log"].read_text(encoding="utf-8")

    served = Database.open(service["served"])
    twin = Database.open(service["twin"])
    try:
        import io

        # the twin gets the uploads the service stored, in the same order, through the upload page's core
        agency_user = User("token:a001-nightly", "agency", "A001", "a001-nightly")
        # (the tests that pushed them may have run on another worker, with their own service: replay what this one stored)
        if served.scalar("SELECT count(*) FROM uploads WHERE file_name = 'bad.csv'", name="t"):
            body = _csv("PUSH-BAD", bad=True)
            commit_upload(twin, io.BytesIO(body), "bad.csv", "procurement", size_bytes=len(body), actor=agency_user, partial=True)
        at_once = served.fetchall("SELECT file_name FROM uploads WHERE file_name LIKE 'AT-ONCE-%' ORDER BY upload_id", name="t")
        for (file_name,) in at_once:
            body = _csv(file_name.removesuffix(".csv"))
            commit_upload(twin, io.BytesIO(body), file_name, "procurement", size_bytes=len(body), actor=agency_user)
        report = commit_upload(
            twin, io.BytesIO(content), "same.csv", "procurement", size_bytes=len(content), actor=agency_user, partial=True
        )
        expected = report_json(report, "en")
        got = pushed.json()

        def same(body: dict) -> dict:  # upload ids are numbered by each database's sequence
            return {
                k: str(v).replace(str(body["upload_id"]), "#") if k == "summary" else v
                for k, v in body.items()
                if k != "upload_id"
            }

        assert same(got) == same(expected) and got["rejected_rows"] and got["counts"]["inserted"] == 2

        lines = "SELECT * EXCLUDE (upload_id) FROM procurement_lines ORDER BY ALL"
        assert served.fetchall(lines, name="t") == twin.fetchall(lines, name="t")
        rejects = (
            "SELECT row_number, CAST(row_data AS VARCHAR), CAST(errors AS VARCHAR), error_en, error_zh FROM rejected_rows "
            "WHERE upload_id IN (SELECT upload_id FROM uploads WHERE kind = 'procurement') ORDER BY ALL"
        )
        assert served.fetchall(rejects, name="t") == twin.fetchall(rejects, name="t")

        # every call was audited; refused ones stored nothing
        refused = served.fetchall("SELECT CAST(details AS VARCHAR) FROM audit_log WHERE action = 'api_refused'", name="t")
        reasons = [json.loads(r[0])["reason"] for r in refused]
        # the refusals of the other tests of this module are here when they ran on this worker; each names its reason
        known = {"missing", "malformed", "unknown", "revoked", "role", "agency", "unknown_kind", "too_large", "rate_limited"}
        known |= {"not_multipart", "no_file", "malformed_multipart", "parameter", "not_found", "busy", "ScopeError"}
        assert set(reasons) <= known, set(reasons) - known
        # this test's own push at least (the module's other calls are here when they ran on this worker)
        assert served.scalar("SELECT count(*) FROM audit_log WHERE action = 'api_call'", name="t") >= 1
        assert not served.scalar(
            "SELECT count(*) FROM procurement_lines WHERE po_number LIKE 'REFUSED%' OR po_number LIKE 'OTHER-AGENCY%' OR po_number LIKE 'PLAIN%'",
            name="t",
        )
    finally:
        served.close()
        twin.close()
