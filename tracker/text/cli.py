"""What the command line says on standard error, in English and Chinese: summaries of what a command
computed or wrote, its usage refusals, and the refusal of an agency code that names no agency.

Command options (--format, -o, --lake, …) stay as typed in both languages; the values of --by and
--scale are named in words.
"""

from __future__ import annotations

CLI_MESSAGES: dict[str, tuple[str, str]] = {
    # --- a file or folder the system would not let the command use ------------------------------------
    "cli.os_error": ("Cannot use {path}: {reason}.", "无法使用 {path}：{reason}。"),
    "reason.os_not_found": ("it does not exist, or a folder on its way does not", "该路径或其所在的文件夹不存在"),
    "reason.os_is_folder": ("it is a folder, not a file", "这是文件夹，不是文件"),
    "reason.os_not_folder": ("a part of the path is a file, not a folder", "路径中有一部分是文件，不是文件夹"),
    "reason.os_permission": ("permission denied", "没有访问权限"),
    "reason.os_read_only": ("the disk is read-only", "磁盘为只读"),
    "reason.os_no_space": ("the disk is full", "磁盘空间已满"),
    "reason.os_other": ("the system refused it ({code})", "系统拒绝了该操作（{code}）"),
    # --- summaries ---------------------------------------------------------------------------------
    "cli.init.database": (
        "database: {path} (schema version {version}; {added:category profile|category profiles} added)",
        "数据库：{path}（结构版本 {version}；新增 {added} 个类别配置）",
    ),
    "cli.demo.written": (
        "demo data ({scale}, seed {seed}) written to {path}",
        "演示数据（{scale}，随机种子 {seed}）已写入 {path}",
    ),
    "cli.demo.writing_lines": ("writing {file}: {lines:line|lines}", "正在写入 {file}：{lines} 条采购明细"),
    "cli.demo.writing_assets": ("writing {file}: {assets:asset|assets}", "正在写入 {file}：{assets} 台资产"),
    "cli.demo.writing_usage": ("writing {file}: {millions} M rows", "正在写入 {file}：{millions} 百万行"),
    "cli.demo.planned": (
        "{agencies:agency|agencies}, {lines:procurement line|procurement lines}, {assets:asset|assets}",
        "{agencies} 个单位，{lines} 条采购明细，{assets} 台资产",
    ),
    "cli.demo.done": (
        "done: {rows:usage row|usage rows}, {planted:planted case|planted cases}",
        "完成：{rows} 行使用记录，{planted} 个预设案例",
    ),
    "cli.demo.large_rows": (
        "max_upload_rows set to {limit} for the large demo tier",
        "已为大规模演示数据将 max_upload_rows 设为 {limit}",
    ),
    "cli.demo.transfers": ("demo transfers: {transfers} (docs/transfers.md)", "演示调拨：{transfers} 次（见 docs/transfers.md）"),
    "cli.demo.loading": (
        "{path}: loading the demo data and its demo accounts (public passwords, disabled by the first real upload or account)",
        "{path}：正在载入演示数据及演示账号（密码公开；首次真实上传或创建账号后即停用）",
    ),
    "cli.scale.small": ("small tier", "小规模"),
    "cli.scale.medium": ("medium tier", "中等规模"),
    "cli.scale.large": ("large tier", "大规模"),
    "cli.ingest.more_problems": ("… {more:more problem|more problems}", "……另有 {more} 处问题未列出"),
    "cli.ingest.more_problems_rejects": (
        "… {more:more problem|more problems} (use --rejects OUT to write them all)",
        "……另有 {more} 处问题未列出（加上 --rejects 文件名 可把全部问题行写入文件）",
    ),
    "cli.utilisation.summary": (
        "utilisation by {by}: {start} to {end} ({days:day|days}), {rows:row|rows}",
        "按{by}统计的利用率：{start}至{end}（{days} 天），共 {rows} 行",
    ),
    "cli.by.asset": ("asset", "资产"),
    "cli.by.agency": ("agency", "单位"),
    "cli.by.category": ("category", "类别"),
    "cli.by.supplier": ("supplier", "供应商"),
    "cli.by.po_line": ("purchase line", "采购明细"),
    "cli.by.fiscal_year": ("fiscal year", "财年"),
    "cli.flags.summary": (
        "{findings:finding|findings}; value at stake {stake}",
        "共 {findings} 条线索；涉及金额 {stake}",
    ),
    "cli.flags.summary_partly_unknown": (
        "{findings:finding|findings}; value at stake {stake}, not counting {unknown:finding|findings} whose value is unknown",
        "共 {findings} 条线索；涉及金额 {stake}（另有 {unknown} 条线索金额未知，未计入）",
    ),
    "cli.flags.evidence_pack": ("evidence pack; data fingerprint {fingerprint}", "证据包；数据指纹 {fingerprint}"),
    "cli.lake.written": (
        "lake written to {dir}: {lines:procurement line|procurement lines}, {assets:asset|assets}, "
        "{usage:usage row|usage rows} in {partitions:monthly partition|monthly partitions}",
        "数据湖已写入 {dir}：采购明细 {lines} 行、资产 {assets} 项、使用记录 {usage} 行，分为 {partitions} 个月度分区",
    ),
    # --- usage refusals ----------------------------------------------------------------------------
    "cli.needs_file.xlsx": (
        "--format xlsx needs -o FILE.xlsx (a workbook is not written to a terminal)",
        "使用 --format xlsx 时须用 -o 指定输出文件（如 -o 结果.xlsx）：工作簿不能直接输出到终端",
    ),
    "cli.needs_file.zip": (
        "--format zip needs -o FILE.zip (an archive is not written to a terminal)",
        "使用 --format zip 时须用 -o 指定输出文件（如 -o 证据包.zip）：压缩包不能直接输出到终端",
    ),
    "cli.needs_file.parquet": (
        "--format parquet needs -o FILE.parquet (Parquet is not written to a terminal)",
        "使用 --format parquet 时须用 -o 指定输出文件（如 -o 结果.parquet）：Parquet 文件不能直接输出到终端",
    ),
    "cli.zip_not_on_lake": (
        "--format zip is the evidence pack of the database (its reviews and fingerprint); use csv with --lake",
        "--format zip 输出的是数据库的证据包（含复核记录和数据指纹），数据湖中没有这些内容；使用 --lake 时请改用 csv",
    ),
    "cli.engine_needs_lake": (
        "--engine {engine} computes on a lake: add --lake DIR (write one with `export-lake DIR`)",
        "--engine {engine} 在数据湖上计算：请加上 --lake 目录（数据湖可用 `export-lake 目录` 导出）",
    ),
    "cli.spark_master_needs_spark": ("--spark-master is for --engine spark", "--spark-master 只能与 --engine spark 一起使用"),
    # --- an agency code that names no agency ----------------------------------------------------------
    "cli.agency_unknown": (
        "--agency {code}: no agency has this code in the data (codes are matched exactly as stored, capitals included).",
        "--agency {code}：数据中没有使用该代码的单位（单位代码须与存储的完全一致，区分大小写）。",
    ),
    "cli.agency_did_you_mean": ("Did you mean {match}?", "是否要输入 {match}？"),
    "cli.agency_known": ("Agencies in the data: {known}.", "数据中的单位：{known}。"),
    "cli.agency_known_first": (
        "{total:agency|agencies} in the data; the first {shown}: {known}.",
        "数据中共有 {total} 个单位，前 {shown} 个为：{known}。",
    ),
    "cli.agency_none": (
        "The data holds no agency yet: upload an asset register or procurement lines first.",
        "数据中还没有任何单位：请先上传资产登记或采购明细。",
    ),
}


# argparse's own refusals (English, from the standard library) as they read in Chinese: (pattern, template),
# each template filled with the pattern's groups; a message that matches none is shown as written
ARGPARSE_ZH: tuple[tuple[str, str], ...] = (
    (r"argument (\S+): (.*)", "参数 {0}：{1}"),
    (r"invalid choice: (.*) \(choose from (.*)\)", "无效的选项 {0}（可选：{1}）"),
    (r"invalid int value: (.*)", "{0} 不是整数"),
    (r"invalid float value: (.*)", "{0} 不是数字"),
    (r"invalid (\w+) value: (.*)", "{1} 不是有效的 {0} 值"),
    (r"the following arguments are required: (.*)", "缺少以下参数：{0}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"expected one argument", "需要一个值"),
    (r"expected at most one argument", "最多需要一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"not allowed with argument (.*)", "不能与参数 {0} 同时使用"),
    (r"ambiguous option: (\S+) could match (.*)", "选项 {0} 不明确，可能是：{1}"),
    (r"one of the arguments (.*) is required", "必须提供以下参数之一：{0}"),
    (r"not a date \(YYYY-MM-DD\): (.*)", "{0} 不是日期（应为 YYYY-MM-DD）"),
    (r"not a whole number ≥ 0: (.*)", "{0} 不是不小于 0 的整数"),
)
ARGPARSE_ZH_USAGE = "用法："
ARGPARSE_ZH_ERROR = "{prog}：错误：{message}"
