"""What the command line prints is in the reader's language, line by line; an --agency that names no agency in
the data is refused (exit 2, nothing on standard output) with the agencies that are there."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tracker.cli import main as cli
from tracker.cli.reports import flags_summary, refuse_agency
from tracker.ingest.pipeline import ingest_file
from tracker.store.db import Database
from tracker.text import formatting

ASSETS = (
    "asset_id,agency_code,category,purchase_cost,purchase_date\n"
    "PC-1,A001,laptop,5000,2024-01-10\n"
    "PC-2,A002,laptop,6000,2024-01-10\n"
)
USAGE = "asset_id,usage_date,hours_used\nPC-1,2025-03-03,6\n"
REQUESTS = "request_id,agency_code,category,quantity\nR-1,A003,server,1\n"  # A003 is only a planned purchase


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "cli.duckdb"
    with Database.open(path) as db:
        for kind, text in (("assets", ASSETS), ("usage", USAGE), ("requests", REQUESTS)):
            (tmp_path / f"{kind}.csv").write_text(text, encoding="utf-8")
            assert ingest_file(db, kind, tmp_path / f"{kind}.csv", actor="setup").committed
    return path


@pytest.fixture
def tracker(capsys, db_path):
    """Run `python -m tracker --db DB --lang LANG ...` in this process: (exit code, stdout, stderr lines)."""

    def call(lang: str, *args: str) -> tuple[int, str, list[str]]:
        code = cli.main(["--db", str(db_path), "--lang", lang, *args])
        out, err = capsys.readouterr()
        return code, out, err.splitlines()

    return call


# -- summaries -------------------------------------------------------------------------------------


def test_the_utilisation_summary_names_the_rollup_and_the_window_in_the_readers_language(tracker):
    code, out, lines = tracker("en", "utilisation", "--by", "agency", "--window-days", "5", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 2
    assert lines == ["utilisation by agency: 2025-02-27 to 2025-03-03 (5 days), 2 rows"]
    code, _, lines = tracker("zh", "utilisation", "--by", "po_line", "--window-days", "1")
    assert code == 0
    assert lines == ["按采购明细统计的利用率：2025年3月3日至2025年3月3日（1 天），共 1 行"]  # the assets bought on no line
    code, _, lines = tracker("en", "utilisation", "--by", "po_line", "--window-days", "1")
    assert lines == ["utilisation by purchase line: 2025-03-03 to 2025-03-03 (1 day), 1 row"]
    code, _, lines = tracker("zh", "utilisation", "--by", "agency", "--window-days", "5")
    assert lines == ["按单位统计的利用率：2025年2月27日至2025年3月3日（5 天），共 2 行"]


def _expected_flags_line(rows: list[dict], lang: str) -> str:
    known = [Decimal(str(r["value_at_stake"])) for r in rows if r["value_at_stake"] is not None]
    unknown = len(rows) - len(known)
    stake = formatting.money_exact(sum(known), "CNY") if known or not rows else "—"
    if lang == "zh":
        return f"共 {len(rows)} 条线索；涉及金额 {stake}" + (
            f"（另有 {unknown} 条线索金额未知，未计入）" if known and unknown else ""
        )
    noun = "finding" if len(rows) == 1 else "findings"
    said = f"{len(rows)} {noun}; value at stake {stake}"
    return said + (f", not counting {unknown} finding{'s' * (unknown != 1)} whose value is unknown" if known and unknown else "")


def test_the_flags_summary_counts_the_findings_and_their_value_in_the_readers_language(tracker):
    code, out, lines = tracker("zh", "flags", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows
    assert lines == [_expected_flags_line(rows, "zh")]
    code, out, lines = tracker("en", "flags", "--format", "json")
    assert lines == [_expected_flags_line(json.loads(out), "en")]
    # the one finding of A002 (a laptop never used) has no known value: its total is unknown, not ¥0.00
    code, out, lines = tracker("zh", "flags", "--agency", "A002", "--format", "json")
    a002 = json.loads(out)
    assert code == 0 and a002 and all(r["value_at_stake"] is None for r in a002)
    assert lines == [f"共 {len(a002)} 条线索；涉及金额 —"]


def test_the_flags_summary_is_exact_for_known_partly_known_unknown_and_no_findings():
    assert flags_summary([], "CNY", "en") == "0 findings; value at stake ¥0.00"  # no finding is a known zero
    assert flags_summary([], "CNY", "zh") == "共 0 条线索；涉及金额 ¥0.00"
    assert flags_summary([1234.5], "CNY", "en") == "1 finding; value at stake ¥1,234.50"
    assert flags_summary([None, None], "CNY", "en") == "2 findings; value at stake —"
    assert flags_summary([None], "CNY", "zh") == "共 1 条线索；涉及金额 —"
    assert flags_summary([100, None, 50], "USD", "en") == (
        "3 findings; value at stake $150.00, not counting 1 finding whose value is unknown"
    )
    assert flags_summary([100, None, None], "CNY", "zh") == "共 3 条线索；涉及金额 ¥100.00（另有 2 条线索金额未知，未计入）"


def test_an_agency_with_no_finding_gets_zero_findings(tracker):
    for lang, said in (("en", "0 findings; value at stake ¥0.00"), ("zh", "共 0 条线索；涉及金额 ¥0.00")):
        code, out, lines = tracker(lang, "flags", "--agency", "A003", "--format", "json")
        assert (code, json.loads(out), lines) == (0, [], [said])


def test_the_evidence_pack_line_gives_the_fingerprint_in_the_readers_language(tracker, tmp_path):
    code, out, lines = tracker("zh", "flags", "--format", "xlsx", "-o", str(tmp_path / "pack.xlsx"))
    assert code == 0 and out == ""
    assert lines[-1].startswith("证据包；数据指纹 ") and len(lines[-1].split()[-1]) == 64
    code, _, lines = tracker("en", "flags", "--format", "zip", "-o", str(tmp_path / "pack.zip"))
    assert lines[-1].startswith("evidence pack; data fingerprint ")


def test_init_says_what_it_created(capsys, tmp_path):
    path = tmp_path / "new.duckdb"
    assert cli.main(["--db", str(path), "--lang", "zh", "init"]) == 0
    with Database.open(path) as db:
        version = db.schema_version()
    assert capsys.readouterr().err == f"数据库：{path}（结构版本 {version}；新增 15 个类别配置）\n"
    assert cli.main(["--db", str(path), "init"]) == 0  # the profiles are there already
    assert capsys.readouterr().err == f"database: {path} (schema version {version}; 0 category profiles added)\n"


def test_ingest_says_how_many_problems_it_did_not_list(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    rows = "".join(f"PC-{i},A001,laptop,lots,2024-01-10\n" for i in range(60))
    bad.write_text("asset_id,agency_code,category,purchase_cost,purchase_date\n" + rows, encoding="utf-8")
    db = str(tmp_path / "x.duckdb")
    assert cli.main(["--db", db, "--lang", "zh", "ingest", "assets", str(bad)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert "……另有 10 处问题未列出（加上 --rejects 文件名 可把全部问题行写入文件）" in lines
    rejects = str(tmp_path / "rejects.csv")
    assert cli.main(["--db", db, "ingest", "assets", str(bad), "--rejects", rejects]) == 1
    assert "… 10 more problems" in capsys.readouterr().err.splitlines()


def test_demo_says_where_it_wrote_in_the_readers_language(capsys, tmp_path):
    out = tmp_path / "demo"
    assert cli.main(["--lang", "zh", "demo", "--out", str(out), "--scale", "small", "--seed", "3"]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == f"演示数据（小规模，随机种子 3）已写入 {out}"


# -- usage refusals ----------------------------------------------------------------------------------

REFUSALS = [
    (
        ("flags", "--format", "xlsx"),
        "--format xlsx needs -o FILE.xlsx (a workbook is not written to a terminal)",
        "使用 --format xlsx 时须用 -o 指定输出文件（如 -o 结果.xlsx）：工作簿不能直接输出到终端",
    ),
    (
        ("flags", "--format", "zip"),
        "--format zip needs -o FILE.zip (an archive is not written to a terminal)",
        "使用 --format zip 时须用 -o 指定输出文件（如 -o 证据包.zip）：压缩包不能直接输出到终端",
    ),
    (
        ("flags", "--format", "zip", "-o", "pack.zip", "--lake", "lake"),
        "--format zip is the evidence pack of the database (its reviews and fingerprint); use csv with --lake",
        "--format zip 输出的是数据库的证据包（含复核记录和数据指纹），数据湖中没有这些内容；使用 --lake 时请改用 csv",
    ),
    (
        ("utilisation", "--engine", "spark"),
        "--engine spark computes on a lake: add --lake DIR (write one with `export-lake DIR`)",
        "--engine spark 在数据湖上计算：请加上 --lake 目录（数据湖可用 `export-lake 目录` 导出）",
    ),
    (
        ("flags", "--spark-master", "local[1]"),
        "--spark-master is for --engine spark",
        "--spark-master 只能与 --engine spark 一起使用",
    ),
    (
        ("utilisation", "--format", "parquet"),
        "--format parquet needs -o FILE.parquet (Parquet is not written to a terminal)",
        "使用 --format parquet 时须用 -o 指定输出文件（如 -o 结果.parquet）：Parquet 文件不能直接输出到终端",
    ),
    (
        ("reallocation", "--format", "xlsx"),
        "--format xlsx needs -o FILE.xlsx (a workbook is not written to a terminal)",
        "使用 --format xlsx 时须用 -o 指定输出文件（如 -o 结果.xlsx）：工作簿不能直接输出到终端",
    ),
]


@pytest.mark.parametrize("args, english, chinese", REFUSALS, ids=[" ".join(r[0]) for r in REFUSALS])
def test_a_usage_refusal_is_said_in_the_readers_language(tracker, tmp_path, monkeypatch, args, english, chinese):
    monkeypatch.chdir(tmp_path)  # a relative -o lands here, and is never written
    assert tracker("en", *args) == (2, "", [english])
    assert tracker("zh", *args) == (2, "", [chinese])
    assert list(tmp_path.glob("pack.zip")) == []


# -- an agency that is not in the data ----------------------------------------------------------------


def test_flags_for_an_agency_not_in_the_data_is_refused_with_the_agencies_that_are(tracker, db_path):
    with Database.open(db_path) as db:
        exports = db.scalar("SELECT count(*) FROM audit_log WHERE action = 'export'")
    assert tracker("zh", "flags", "--agency", "A009") == (
        2,
        "",
        [
            "--agency A009：数据中没有使用该代码的单位（单位代码须与存储的完全一致，区分大小写）。",
            "数据中的单位：A001、A002、A003。",
        ],
    )
    assert tracker("en", "flags", "--agency", "a002", "--format", "json") == (
        2,
        "",
        [
            "--agency a002: no agency has this code in the data (codes are matched exactly as stored, capitals included).",
            "Did you mean A002?",
            "Agencies in the data: A001, A002, A003.",
        ],
    )
    with Database.open(db_path) as db:  # nothing was exported, so nothing is recorded as an export
        assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'export'") == exports


def test_an_empty_agency_code_is_refused_too(tracker):
    code, out, lines = tracker("en", "flags", "--agency", "")
    assert (code, out) == (2, "") and lines[0].startswith("--agency : no agency has this code")


def test_the_refusal_lists_the_first_ten_agencies_or_says_there_is_none(capsys):
    refuse_agency("X", [f"A{i:03}" for i in range(1, 38)], "en")
    assert capsys.readouterr().err.splitlines()[1] == (
        "37 agencies in the data; the first 10: A001, A002, A003, A004, A005, A006, A007, A008, A009, A010."
    )
    refuse_agency("X", [f"A{i:03}" for i in range(1, 12)], "zh")
    assert capsys.readouterr().err.splitlines()[1] == (
        "数据中共有 11 个单位，前 10 个为：A001、A002、A003、A004、A005、A006、A007、A008、A009、A010。"
    )
    refuse_agency("X", [], "zh")
    assert capsys.readouterr().err.splitlines()[1] == "数据中还没有任何单位：请先上传资产登记或采购明细。"


def test_flags_on_a_lake_refuses_an_agency_the_lake_does_not_hold(tracker, tmp_path):
    lake = str(tmp_path / "lake")
    code, out, lines = tracker("zh", "export-lake", lake)
    assert (code, out) == (0, "")
    assert lines == [f"数据湖已写入 {lake}：采购明细 0 行、资产 2 项、使用记录 1 行，分为 1 个月度分区"]
    # the lake holds lines, assets and holdings, not planned purchases: A003 is not in it
    assert tracker("en", "flags", "--lake", lake, "--agency", "A003") == (
        2,
        "",
        [
            "--agency A003: no agency has this code in the data (codes are matched exactly as stored, capitals included).",
            "Agencies in the data: A001, A002.",
        ],
    )
    code, out, lines = tracker("en", "flags", "--lake", lake, "--agency", "A002", "--format", "json")
    assert code == 0 and lines == [_expected_flags_line(json.loads(out), "en")]


def test_audit_verify_lists_each_break_of_the_chain_in_the_readers_language(tracker, db_path):
    from tracker.store import audit

    with Database.open(db_path) as db:
        first = db.scalar("SELECT min(entry_id) FROM audit_log")
        db.execute("UPDATE audit_log SET actor = 'someone else' WHERE entry_id = ?", [first])
        problems = audit.verify(db, lang="zh")
    assert problems and all("审计" in p or "记录" in p for p in problems)
    code, out, lines = tracker("zh", "audit", "verify")
    assert (code, out) == (1, "")
    assert lines[1:] == [f"  {p}" for p in problems]  # each problem as the catalogue says it in Chinese


@pytest.mark.parametrize(
    ("args", "path", "en", "zh"),
    [
        (["ingest", "usage", "{tmp}"], "{tmp}", "it is a folder, not a file", "这是文件夹，不是文件"),
        (["export-lake", "{tmp}/usage.csv/lake"], "{tmp}/usage.csv/lake", "a part of the path is a file", "路径中有一部分是文件"),
    ],
)
def test_a_path_the_system_refuses_is_said_in_words_not_as_a_traceback(tracker, tmp_path, args, path, en, zh):
    args = [a.format(tmp=tmp_path) for a in args]
    for lang, said in (("en", en), ("zh", zh)):
        code, out, lines = tracker(lang, *args)
        assert code == 2 and out == ""
        assert lines[-1].startswith(("Cannot use ", "无法使用 ")) and path.format(tmp=tmp_path) in lines[-1]
        assert said in lines[-1] and "Traceback" not in "\n".join(lines)


def test_findings_that_cannot_be_written_are_refused_without_a_summary(tracker, tmp_path):
    """The summary ("N findings; value at stake …") is said once the file is written, never before a failure."""
    target = "/proc/flags.csv"  # a folder that exists but takes no new file, even for root
    code, out, lines = tracker("en", "flags", "-o", target)
    assert code == 2 and out == ""
    assert len(lines) == 1 and lines[0].startswith("Cannot use ") and "finding" not in lines[0]


def test_every_errno_has_words(tmp_path):
    import errno

    from tracker.text.i18n import render

    for number, en in ((errno.EACCES, "permission denied"), (errno.ENOSPC, "the disk is full"), (errno.EIO, "(EIO)")):
        said = cli.os_problem(OSError(number, "x", str(tmp_path / "f")))
        assert en in render(said, "en") and str(tmp_path / "f") in render(said, "zh")
    assert "—" in render(cli.os_problem(OSError("no number")), "en")


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (
            ["flags", "--as-of", "2025-02-30"],
            "参数 --as-of：2025-02-30 不是日期（应为 YYYY-MM-DD）",
            "argument --as-of: not a date",
        ),
        (["flags", "--window-days", "abc"], "参数 --window-days：'abc' 不是整数", "invalid int value: 'abc'"),
        (["utilisation", "--by", "nonsense"], "参数 --by：无效的选项 'nonsense'（可选：'asset'", "invalid choice: 'nonsense'"),
        (["ingest"], "缺少以下参数：kind, file", "the following arguments are required: kind, file"),
        (["flags", "--bogus"], "无法识别的参数：--bogus", "unrecognized arguments: --bogus"),
    ],
)
def test_a_command_line_argparse_refuses_is_refused_in_the_readers_language(capsys, args, zh, en):
    """The refusals of the argument parser itself (the standard library's English) read in Chinese with --lang zh,
    and are unchanged in English; the exit code is argparse's 2 either way."""
    for lang, said, usage, other in (("zh", zh, "用法：", "error:"), ("en", en, "usage: ", "错误")):
        assert cli.main(["--lang", lang, *args]) == 2
        out, err = capsys.readouterr()
        assert out == "" and said in err and err.startswith(usage) and other not in err
    assert cli.main(["--lang", "en", "--lang", "zh", *args]) == 2  # the last --lang counts, as for argparse
    assert zh in capsys.readouterr().err


def test_argparse_words_the_tracker_has_no_chinese_for_are_shown_as_written():
    from tracker.cli.parser import argparse_in_chinese

    assert argparse_in_chinese("something new in a later Python") == "something new in a later Python"
    assert argparse_in_chinese("argument --x: something new") == "参数 --x：something new"


def test_the_demo_generators_progress_is_in_the_readers_language(capsys, tmp_path):
    assert cli.main(["--lang", "zh", "demo", "--scale", "small", "--out", str(tmp_path / "demo")]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "5 个单位，381 条采购明细，2,046 台资产"
    assert lines[1:3] == ["正在写入 procurement.csv：381 条采购明细", "正在写入 assets.csv：2,046 台资产"]
    assert lines[-2].startswith("完成：") and "行使用记录" in lines[-2] and "个预设案例" in lines[-2]
    assert not [line for line in lines if "writing" in line or "done" in line]
    assert cli.main(["--lang", "en", "demo", "--scale", "small", "--out", str(tmp_path / "again")]) == 0
    english = capsys.readouterr().err.splitlines()
    assert english[0] == "5 agencies, 381 procurement lines, 2,046 assets"
    assert english[1] == "writing procurement.csv: 381 lines"
