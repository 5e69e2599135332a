"""The translation table: every user-facing message in English and Chinese, looked up by key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.text.cli import CLI_MESSAGES
from tracker.text.eventlog import EVENTLOG_MESSAGES
from tracker.text.exports import EXPORT_MESSAGES
from tracker.text.lake import LAKE_MESSAGES
from tracker.text.meters import METERS_MESSAGES
from tracker.text.names import NAME_MESSAGES
from tracker.text.pages import PAGE_MESSAGES
from tracker.text.plural import fill
from tracker.text.reallocation import REALLOCATION_MESSAGES
from tracker.text.reasons import REASON_MESSAGES
from tracker.text.rules import RULE_MESSAGES
from tracker.text.service import SERVICE_MESSAGES
from tracker.text.standards import STANDARDS_MESSAGES
from tracker.text.transfers import TRANSFER_MESSAGES
from tracker.text.trust import TRUST_MESSAGES
from tracker.text.trustcore import TRUSTCORE_MESSAGES
from tracker.text.trustui import TRUSTUI_MESSAGES
from tracker.text.walkthrough import WALKTHROUGH_MESSAGES

LANGUAGES = ("en", "zh")

# key -> (English, Chinese). Placeholders use str.format names. The enumerations' names are in
# names.py, the reasons of refused values in reasons.py, what each rule says in rules.py and what the
# dashboard pages say in pages.py, what an evidence pack says in exports.py.
CORE_MESSAGES: dict[str, tuple[str, str]] = {
    # --- files refused as a whole -------------------------------------------------------------
    "file.empty": (
        "The file {file} is empty.",
        "文件 {file} 是空的。",
    ),
    "file.too_large": (
        "The file {file} is {size_mb} MB; the limit is {limit_mb} MB.",
        "文件 {file} 大小为 {size_mb} MB，超过上限 {limit_mb} MB。",
    ),
    "file.too_many_rows": (
        "The file {file} has {rows:data row|data rows}; the limit is {limit}.",
        "文件 {file} 有 {rows} 行数据，超过上限 {limit} 行。",
    ),
    "file.unknown_format": (
        "The file {file} is not a format the tracker reads. Upload CSV, XLSX, Parquet, or OCDS JSON/JSONL.",
        "无法识别文件 {file} 的格式。请上传 CSV、XLSX、Parquet 或 OCDS JSON/JSONL 文件。",
    ),
    "file.bad_xlsx": (
        "The file {file} is named like an Excel workbook but cannot be opened as one ({reason}).",
        "文件 {file} 的扩展名是 Excel 工作簿，但无法作为工作簿打开（{reason}）。",
    ),
    "file.bad_parquet": (
        "The file {file} cannot be read as Parquet ({reason}).",
        "文件 {file} 无法作为 Parquet 读取（{reason}）。",
    ),
    "file.unknown_encoding": (
        "The text encoding of {file} is not recognised. Save it as UTF-8 (or GBK/GB18030) CSV and upload again.",
        "无法识别文件 {file} 的文字编码。请另存为 UTF-8（或 GBK/GB18030）编码的 CSV 后重新上传。",
    ),
    "file.binary": (
        "The file {file} contains binary data, not text; it is not a CSV file.",
        "文件 {file} 包含二进制数据，不是 CSV 文本文件。",
    ),
    "file.bad_csv": (
        "The file {file} could not be read as CSV near line {line}: {reason}",
        "文件 {file} 在第 {line} 行附近无法按 CSV 读取：{reason}",
    ),
    "file.ragged_row": (
        "Line {line} of {file} has more fields than the header's {expected:column|columns}. Check that line for an unquoted delimiter.",
        "文件 {file} 第 {line} 行的字段多于表头的 {expected} 列。请检查该行是否有未加引号的分隔符。",
    ),
    "file.no_header": (
        "No header row was found in {file}. The first rows must name the columns, for example: {expected}.",
        "文件 {file} 中没有找到表头行。前几行应包含列名，例如：{expected}。",
    ),
    "file.header_only": (
        "The file {file} has a header but no data rows.",
        "文件 {file} 只有表头，没有数据行。",
    ),
    "file.missing_columns": (
        "The file {file} has no column for: {columns}. Accepted headers for these: {aliases}.",
        "文件 {file} 缺少以下必填列：{columns}。这些列可用的表头名称：{aliases}。",
    ),
    "file.duplicate_headers": (
        "The file {file} has the same header more than once: {headers}. Rename or remove the duplicates.",
        "文件 {file} 中有重复的表头：{headers}。请重命名或删除重复的列。",
    ),
    "file.columns_same_field": (
        'The columns {columns} of {file} all mean "{field}". Keep only one of them.',
        "文件 {file} 的列 {columns} 都对应字段“{field}”。请只保留其中一列。",
    ),
    "file.wrong_kind": (
        "The file {file} looks like {detected} records, not {expected}. Choose the right record kind or upload the right file.",
        "文件 {file} 看起来是{detected}数据，而不是{expected}数据。请选择正确的数据类型或上传正确的文件。",
    ),
    "file.kind_unknown": (
        "Could not tell which kind of records {file} holds. Choose procurement, assets or usage.",
        "无法判断文件 {file} 的数据类型。请选择采购、资产或使用记录。",
    ),
    "file.ambiguous_dates": (
        "The dates in column {column} of {file} could be day/month or month/day (for example {example}). Choose the date order and upload again.",
        "文件 {file} 的“{column}”列日期既可能是日/月也可能是月/日（例如 {example}）。请选择日期顺序后重新上传。",
    ),
    "file.mixed_date_order": (
        "Column {column} of {file} mixes day/month ({dmy}) and month/day ({mdy}) dates. Use one order throughout.",
        "文件 {file} 的“{column}”列同时有日/月（{dmy}）和月/日（{mdy}）格式的日期，请统一格式。",
    ),
    "file.bad_json": (
        "The file {file} is not valid JSON: {reason}.",
        "文件 {file} 不是有效的 JSON：{reason}。",
    ),
    "file.not_ocds": (
        "The JSON file {file} is not an OCDS release package, record package or release.",
        "JSON 文件 {file} 不是 OCDS 发布包、记录包或发布。",
    ),
    "file.ocds_no_lines": (
        "The OCDS file {file} holds no purchase lines: none of its contracts or awards lists items.",
        "OCDS 文件 {file} 中没有采购明细：其合同和授标中都没有列出标的物。",
    ),
    "file.ocds_no_equipment": (
        "The OCDS file {file} holds no equipment: all {set_aside} of its lines are set aside ({counts}). Nothing was loaded.",
        "OCDS 文件 {file} 中没有设备：全部 {set_aside} 行均已剔除（{counts}），未导入任何数据。",
    ),
    "file.ocds_contradiction": (
        "The OCDS file {file} contradicts itself: process {ocid} has two different releases with the same id {release}. "
        "Keep one of them and upload again.",
        "OCDS 文件 {file} 前后矛盾：项目 {ocid} 有两个内容不同但编号同为 {release} 的发布。请只保留其中一个后重新上传。",
    ),
    "file.ocds_inconsistent": (
        "The releases of process {ocid} in the OCDS file {file} contradict each other and cannot be merged: {reason}.",
        "OCDS 文件 {file} 中项目 {ocid} 的各次发布相互矛盾，无法合并：{reason}。",
    ),
    "ocds.set_aside": (
        "{count:line|lines} set aside (not equipment): {counts}.",
        "已剔除 {count} 行非设备明细：{counts}。",
    ),
    "ocds.reason_count": ("{count} {reason}", "{reason} {count} 行"),
    "ocds.reason.services": ("services", "服务"),
    "ocds.reason.works": ("works", "工程"),
    "ocds.reason.supplies": ("supplies", "耗材及零部件"),
    "ocds.reason.software": ("software", "软件"),
    "ocds.reason.goods": ("other goods", "其他货物"),
    "ocds.kept_other": (
        "Kept as other: {count:line|lines} whose code and description name no equipment category.",
        "{count} 行的编码和描述都无法确定设备类别，按“其他”保留。",
    ),
    "ocds.buyer_code": (
        'Buyer "{name}" has no id in the file: its lines are loaded under the agency code {code} ({source}).',
        "采购人“{name}”在文件中没有编号：其明细按单位代码 {code} 导入（{source}）。",
    ),
    "ocds.buyer_source.derived": (
        'made from the name; change it with: python -m tracker agencies map "NAME" CODE',
        '由名称生成；可用 python -m tracker agencies map "名称" 代码 修改',
    ),
    "ocds.buyer_source.mapped": ("from the agency-code mapping", "来自单位代码对照表"),
    "ocds.buyer_source.scope": ("the agency the upload is limited to", "本次上传限定的单位"),
    "ocds.price_unknown": (
        "{count:line has|lines have} no price of their own: one contract value covers several items. They are kept with the price unknown and the contract's total on the order.",
        "{count} 行没有单独的价格：一份合同金额涵盖多项标的。这些明细按价格未知保留，合同总额记在订单上。",
    ),
    "ocds.planned": (
        "{items:tender item|tender items} not yet awarded, stored as planned purchases rather than purchase lines.",
        "{items} 项尚未授标的招标标的属于采购计划：作为配置申请保存，而非采购明细。",
    ),
    "ocds.download_set_aside": ("Download the lines set aside (CSV)", "下载已剔除的明细（CSV）"),
    "ocds.buyers_heading": ("Agency codes of buyers without an id", "无编号采购人的单位代码"),
    "ocds.map_label_name": ("Buyer name", "采购人名称"),
    "ocds.map_label_code": ("Agency code", "单位代码"),
    "ocds.map_save": ("Keep this code for this buyer", "为该采购人保存此代码"),
    "agencies.mapped": (
        'Buyer "{name}" is loaded under agency code {code} from now on; stored lines moved to it: {moved}.',
        "采购人“{name}”今后按单位代码 {code} 导入；已导入的 {moved} 行明细已改为该代码。",
    ),
    "agencies.bad_code": (
        "The agency code {code} is not usable: give 1 to 100 characters without control characters, not starting like a formula.",
        "单位代码 {code} 不可用：应为 1 至 100 个字符，不含控制字符，且不能以公式符号开头。",
    ),
    "agencies.bad_name": ("Give the buyer's name as the OCDS file writes it.", "请按 OCDS 文件中的写法填写采购人名称。"),
    "agencies.none": ("No agency codes are mapped to buyer names yet.", "尚未为任何采购人名称设置单位代码。"),
    "file.ocds_only_procurement": (
        "OCDS files hold procurement records only; {file} cannot be loaded as {kind}.",
        "OCDS 文件只包含采购数据；{file} 不能作为{kind}数据导入。",
    ),
    "file.no_known_assets": (
        "No asset named in {file} is in the asset register ({assets:asset|assets} named). Upload the asset register (or the assets of this agency) first, then this usage file.",
        "文件 {file} 中的 {assets} 个资产均不在资产登记册中。请先上传资产登记（或本单位的资产），再上传此使用记录。",
    ),
    "file.same_file": (
        "It is the same file as upload #{upload_id} of {when}.",
        "该文件与 {when} 的第 {upload_id} 次上传相同。",
    ),
    # --- row-level reasons --------------------------------------------------------------------
    "row.required": ("{column} is required but empty.", "“{column}”为必填项，但为空。"),
    "row.bad_int": ('{column} must be a whole number; got "{value}".', "“{column}”必须是整数，实际为“{value}”。"),
    "row.bad_number": ('{column} must be a number; got "{value}".', "“{column}”必须是数字，实际为“{value}”。"),
    "row.not_positive": ("{column} must be greater than 0; got {value}.", "“{column}”必须大于 0，实际为 {value}。"),
    "row.negative": ("{column} cannot be negative; got {value}.", "“{column}”不能为负数，实际为 {value}。"),
    "row.bad_date": (
        '{column} is not a date: "{value}". Use YYYY-MM-DD.',
        "“{column}”不是有效日期：“{value}”。请使用 YYYY-MM-DD 格式。",
    ),
    "row.bad_timestamp": (
        '{column} is not a date and time: "{value}". Use YYYY-MM-DD HH:MM[:SS].',
        "“{column}”不是有效的日期时间：“{value}”。请使用 YYYY-MM-DD HH:MM[:SS] 格式。",
    ),
    "row.future_date": (
        "{column} {value} is in the future.",
        "“{column}”{value} 是未来的日期。",
    ),
    "row.implausible_date": (
        "{column} {value} is before 1980 or after 2100; check the year.",
        "“{column}”{value} 早于 1980 年或晚于 2100 年，请检查年份。",
    ),
    "row.total_mismatch": (
        "total_amount {value} disagrees with quantity × unit_price = {expected} by more than 1 %.",
        "总价 {value} 与 数量 × 单价 = {expected} 相差超过 1%。",
    ),
    "row.delivery_before_order": (
        "delivery_date {value} is before order_date {other}.",
        "验收日期 {value} 早于采购日期 {other}。",
    ),
    "row.disposal_before_service": (
        "disposal_date {value} is before the asset entered service ({other}).",
        "处置日期 {value} 早于资产启用日期（{other}）。",
    ),
    "row.hours_over_24": (
        "{column} is {value} hours; a day has at most 24.",
        "“{column}”为 {value} 小时，一天最多 24 小时。",
    ),
    "row.minutes_over_day": (
        "{column} is {value} minutes; a day has at most 1,440.",
        "“{column}”为 {value} 分钟，一天最多 1440 分钟。",
    ),
    "row.end_before_start": (
        "end_time {value} is before start_time {other}.",
        "结束时间 {value} 早于开始时间 {other}。",
    ),
    "row.session_too_long": (
        "The session from {other} to {value} lasts more than 366 days.",
        "从 {other} 到 {value} 的使用时段超过 366 天。",
    ),
    "row.bad_currency": (
        'currency must be a three-letter ISO 4217 code such as CNY; got "{value}".',
        "币种必须是三位 ISO 4217 代码（如 CNY），实际为“{value}”。",
    ),
    "row.bad_status": (
        'status "{value}" is not one of: in_use, idle, in_storage, standby, disposed (在用, 闲置, 库存, 备用, 报废).',
        "使用状况“{value}”无效，应为：在用、闲置、库存、备用、报废（in_use, idle, in_storage, standby, disposed）。",
    ),
    "row.bad_bool": ('{column} must be yes or no; got "{value}".', "“{column}”必须为“是”或“否”，实际为“{value}”。"),
    "row.formula": (
        '{column} starts like a spreadsheet formula ("{value}"); formulas are not accepted as data.',
        "“{column}”的内容以电子表格公式开头（“{value}”），不能作为数据导入。",
    ),
    "row.too_long": (
        "{column} is {length} characters long; at most {limit} are allowed.",
        "“{column}”长度为 {length} 个字符，最多允许 {limit} 个。",
    ),
    "row.control_chars": (
        "{column} contains control characters.",
        "“{column}”包含控制字符。",
    ),
    "row.duplicate_key": (
        "Rows {rows} have the same {key} but different values; keep one of them.",
        "第 {rows} 行的{key}相同但其他内容不同；请只保留一行。",
    ),
    "row.unknown_asset": (
        "asset {value} is not in the asset register; upload the asset first.",
        "资产 {value} 不在资产登记册中；请先上传该资产。",
    ),
    "row.unknown_device": (
        "no asset in the register has the host name or serial number {value}; add it to the asset register "
        "(the upload report offers the unmatched devices as a register template).",
        "资产登记册中没有主机名或序列号为 {value} 的资产；请先登记该资产（上传报告可下载预填了未对应设备的登记模板）。",
    ),
    "row.ambiguous_device": (
        "{other} assets in the register have the host name or serial number {value}; give each a distinct one "
        "or name the asset by its asset_id.",
        "资产登记册中有 {other} 台资产的主机名或序列号为 {value}；请使其唯一，或用资产编号指明。",
    ),
    "row.bad_evidence": (
        "{value} is not a kind of evidence; use usage, signed_in, powered_on or seen.",
        "“{value}”不是有效的证据类型；请填写 usage、signed_in、powered_on 或 seen。",
    ),
    "row.other_agency": (
        "This row belongs to agency {value}; this upload is limited to agency {other}.",
        "该行属于单位 {value}；本次上传仅限单位 {other}。",
    ),
    "row.asset_other_agency": (
        "asset {value} is registered to agency {other}, not to the agency of this upload.",
        "资产 {value} 登记在单位 {other} 名下，不属于本次上传的单位。",
    ),
    "row.ambiguous_po": (
        "order number {value} matches purchase lines of several contracting processes ({other}); add an ocid column to say which.",
        "订单号 {value} 对应多个采购项目（{other}）；请增加 ocid 列注明是哪一个。",
    ),
    # --- database and settings ----------------------------------------------------------------
    "db.locked": (
        "The database {path} is in use by another process (probably the dashboard). Stop it, or make the change through the dashboard.",
        "数据库 {path} 正被另一个进程使用（可能是仪表板）。请先停止该进程，或通过仪表板操作。",
    ),
    "db.open_failed": ("The database {path} could not be opened: {reason}", "无法打开数据库 {path}：{reason}"),
    "db.newer_schema": (
        "The database {path} was written by a newer version of the tracker (schema {found}, this version knows {known}).",
        "数据库 {path} 由更新版本的系统创建（结构版本 {found}，当前版本支持 {known}）。",
    ),
    "db.query_failed": ("A database operation ({name}) failed: {reason}", "数据库操作（{name}）失败：{reason}"),
    "review.bad_status": (
        '"{status}" is not a review status; choose one of {allowed}.',
        "“{status}”不是复核状态；可选：{allowed}。",
    ),
    "review.reason_required": ("Dismissing a finding needs a reason.", "驳回问题线索须填写理由。"),
    "review.unchanged": (
        "The finding is already {status}; add a note or a reason to record a new review.",
        "该问题线索已是此状态（{status}）；如需新增复核记录，请填写说明或理由。",
    ),
    "review.reopened": (
        "Reopened: the value at stake {now} is {ratio}× the {then} it had when it was dismissed.",
        "已重新打开：涉及金额 {now} 是驳回时 {then} 的 {ratio} 倍。",
    ),
    "config.bad_value": ('Setting {name} has an invalid value "{value}": {reason}', "设置项 {name} 的值“{value}”无效：{reason}"),
    "config.stored_value_ignored": (
        'The stored value "{value}" of {name} is not used, the default {default} is: {reason}',
        "{name} 的存储值“{value}”未被采用，改用默认值 {default}：{reason}",
    ),
    "settings.stored_problems": (
        "These stored values are not valid, so their defaults are in force; save a valid value to replace them:",
        "以下存储值无效，当前改用默认值；保存有效值即可替换：",
    ),
    "reason.month": ("a month number 1-12", "1 到 12 之间的月份数"),
    "reason.whole_range": ("a whole number from {low} to {high}", "{low} 到 {high} 之间的整数"),
    "reason.number_range": ("a number from {low} to {high}", "{low} 到 {high} 之间的数"),
    "reason.whole": ("a whole number", "整数"),
    "reason.country": ("not a country known to the holidays calendar", "不是节假日日历支持的国家"),
    "reason.timezone": ("unknown time zone", "未知的时区"),
    "reason.rule_code": ("one of the rules {codes}", "应为以下规则之一：{codes}"),
    "config.unknown_kind": (
        'Unknown record kind "{value}"; choose procurement, assets or usage.',
        "未知的数据类型“{value}”；请选择 procurement（采购）、assets（资产）或 usage（使用记录）。",
    ),
    "config.file_missing": ("The file {file} does not exist.", "文件 {file} 不存在。"),
    "config.unknown_category": (
        'Unknown category "{value}"; choose one of: {choices}.',
        "未知的类别“{value}”；请选择：{choices}。",
    ),
    "config.unknown_profile_field": (
        'A category profile has no field "{value}"; choose one of: {choices}.',
        "类别配置没有字段“{value}”；请选择：{choices}。",
    ),
    "config.profile_hours": (
        'Category {category}: hours per day must be a number greater than 0 and at most 24; got "{value}".',
        "类别 {category}：每日标准小时数必须大于 0 且不超过 24，实际为“{value}”。",
    ),
    "config.profile_days": (
        'Category {category}: available days must be workdays or all; got "{value}".',
        "类别 {category}：可用日必须为 workdays（工作日）或 all（每天），实际为“{value}”。",
    ),
    "config.profile_threshold": (
        'Category {category}: the low-utilisation threshold must be a number greater than 0 and at most 1; got "{value}".',
        "类别 {category}：低利用率阈值必须大于 0 且不超过 1，实际为“{value}”。",
    ),
    "config.profile_life": (
        'Category {category}: the useful life must be a whole number of years from 1 to 50; got "{value}".',
        "类别 {category}：使用年限必须是 1 到 50 之间的整数年，实际为“{value}”。",
    ),
    "config.profile_price_cap": (
        'Category {category}: the price cap must be an amount of at least 0 with at most two decimals, or empty for no cap; got "{value}".',
        "类别 {category}：单价上限必须是不小于 0、最多两位小数的金额，留空表示不设上限，实际为“{value}”。",
    ),
    "report.no_usage": (
        "There is no usage data yet, so there is no date to compute utilisation for. Upload usage logs, or give --as-of.",
        "尚无使用记录，无法确定计算使用率的日期。请先上传使用记录，或指定 --as-of。",
    ),
    "scope.unknown_agency": ("Agency {agency} is not known.", "单位 {agency} 不存在。"),
    # --- ingest summaries ---------------------------------------------------------------------
    "cli.row": ("row {row}, {column}", "第 {row} 行，{column}"),
    "cli.set_aside_written": ("{rows:line|lines} set aside written to {path}.", "已将 {rows} 行剔除的明细写入 {path}。"),
    "cli.rejects_written": ("{rows:rejected row|rejected rows} written to {path}", "已将 {rows} 行被拒绝的数据写入 {path}"),
    "ingest.committed": (
        "{file}: {read:row|rows} read, {accepted} accepted, {rejected} rejected; {inserted} new, {replaced} replaced, {unchanged} unchanged. Committed as upload #{upload_id}.",
        "{file}：读取 {read} 行，接受 {accepted} 行，拒绝 {rejected} 行；新增 {inserted}，替换 {replaced}，未变 {unchanged}。已提交（第 {upload_id} 次上传）。",
    ),
    "ingest.rejected_all": (
        "{file}: rows with problems: {rejected} of {read}; nothing was committed. Fix the rows listed and upload again, or commit the good rows only.",
        "{file}：{read} 行中有 {rejected} 行存在问题；未提交任何数据。请修正所列行后重新上传，或仅提交无误的行。",
    ),
    "ingest.dry_run": (
        "{file}: {read:row|rows} read, {accepted} would be accepted, {rejected} rejected; {inserted} new, {replaced} replaced, {unchanged} unchanged. Dry run: nothing committed.",
        "{file}：读取 {read} 行，可接受 {accepted} 行，拒绝 {rejected} 行；新增 {inserted}，替换 {replaced}，未变 {unchanged}。试运行：未提交任何数据。",
    ),
    "ingest.unchanged": (
        "{file}: {accepted:row is|rows are} already in the database exactly as in this file; nothing changed.",
        "{file}：全部 {accepted} 行已按相同内容存在于数据库中；数据没有变化。",
    ),
    # --- accounts, roles and the audit log (docs/architecture.md) ----------------------------------------------
    "auth.bad_credentials": ("Wrong username or password.", "用户名或密码错误。"),
    "auth.locked": (
        "This account is locked after too many failed logins. Try again in {minutes:minute|minutes}, or ask an administrator to set a new password.",
        "登录失败次数过多，该账户已被锁定。请 {minutes} 分钟后再试，或请管理员重设密码。",
    ),
    "auth.disabled": ("This account is disabled. Ask an administrator.", "该账户已停用。请联系管理员。"),
    "auth.bad_username": (
        '"{username}" cannot be a user name: use 3 to 64 letters, digits, dots, underscores, hyphens or @, starting with a letter or digit.',
        "“{username}”不能作为用户名：请使用 3 到 64 个字母、数字、点、下划线、连字符或 @，并以字母或数字开头。",
    ),
    "auth.bad_role": ('"{role}" is not a role; choose one of: {choices}.', "“{role}”不是有效的角色；请选择：{choices}。"),
    "auth.agency_required": (
        "An agency account needs the code of its agency.",
        "单位账户必须指定所属单位代码。",
    ),
    "auth.agency_not_allowed": (
        "Only agency accounts belong to one agency; an account with the role {role} sees every agency, so leave the agency empty.",
        "只有单位账户属于某个单位；角色为{role}的账户可查看所有单位，请不要填写单位。",
    ),
    "auth.password_too_short": (
        "The password must be at least {minimum} characters long.",
        "密码长度至少为 {minimum} 个字符。",
    ),
    "auth.password_is_username": ("The password must not be the user name.", "密码不能与用户名相同。"),
    "auth.passwords_differ": ("The two passwords are not the same.", "两次输入的密码不一致。"),
    "auth.no_password": ("No password was given.", "未提供密码。"),
    "auth.user_exists": ("A user named {username} already exists.", "用户 {username} 已存在。"),
    "auth.unknown_user": ('There is no user named "{username}".', "用户“{username}”不存在。"),
    "auth.last_admin": (
        "{username} is the last active administrator; create another administrator before disabling this one.",
        "{username} 是最后一个有效的管理员账户；请先创建另一个管理员，再停用此账户。",
    ),
    "auth.sso_unknown": (
        "{email} signed in with your organisation, but has no account here. Ask an administrator to "
        "add it (python -m tracker users add {email} --role …).",
        "{email} 已通过单位账号登录，但在本系统中没有账户。请联系管理员添加（python -m tracker users add {email} --role …）。",
    ),
    "auth.not_your_agency": (
        "You upload for your own agency only, not for {agency}.",
        "您只能为本单位上传数据，不能为 {agency} 上传。",
    ),
    "auth.not_allowed": ("An account with the role {role} may not {action}.", "角色为{role}的账户无权{action}。"),
    "auth.user_created": ("User {username} ({role}) created.", "已创建用户 {username}（{role}）。"),
    "auth.password_set": ("The password of {username} was changed.", "已修改用户 {username} 的密码。"),
    "auth.user_disabled": ("User {username} is disabled.", "用户 {username} 已停用。"),
    "audit.altered": (
        "Audit entry #{entry} was changed after it was written.",
        "审计记录 #{entry} 在写入后被修改过。",
    ),
    "audit.broken_link": (
        "Audit entry #{entry} does not follow entry #{previous}: entries between them were deleted, or entries were reordered.",
        "审计记录 #{entry} 与前一条记录 #{previous} 不衔接：两者之间的记录被删除，或记录顺序被改动。",
    ),
    "audit.bad_start": (
        "The audit log does not start at its first entry: the entries before #{entry} were deleted.",
        "审计日志的开头不完整：#{entry} 之前的记录已被删除。",
    ),
    "audit.intact": (
        "The audit log is intact up to entry #{entry}, whose hash is {hash}. Keep this hash elsewhere: if it is ever missing from the log, newer entries were deleted.",
        "审计日志完整，截至记录 #{entry}，其哈希值为 {hash}。请另行保存此哈希值：若日志中不再有它，说明此后的记录被删除过。",
    ),
    "audit.empty": ("The audit log is empty.", "审计日志为空。"),
    "audit.broken": (
        "The audit log has been tampered with ({problems:problem|problems}):",
        "审计日志已被篡改（发现 {problems} 处问题）：",
    ),
    "auth.prompt_password": ("Password: ", "密码："),
    "auth.prompt_again": ("Password again: ", "再次输入密码："),
    # -- hostile and garbled files: every reader failure is refused with its own message --------
    "file.binary_kind": (
        "The file {file} is a {kind} file, not text; it is not a CSV file. Export the data as CSV or XLSX and upload that.",
        "文件 {file} 是 {kind}，不是文本，也不是 CSV 文件。请将数据导出为 CSV 或 XLSX 后上传。",
    ),
    "file.encoding_not_recognised": (
        "The text of {file} is in none of the encodings tried ({tried}). Save it as CSV UTF-8 and upload again.",
        "文件 {file} 的文字不属于已尝试的任何编码（{tried}）。请另存为 UTF-8 编码的 CSV 后重新上传。",
    ),
    "file.mixed_encodings": (
        "The file {file} mixes text encodings: it is mostly {main}, but these rows are {other}: {rows}. Stored as they are, they would be garbled. Save the whole file in one encoding (CSV UTF-8) and upload again.",
        "文件 {file} 混用了多种文字编码：大部分为 {main}，但以下各行为 {other}：第 {rows} 行。若照原样存储，这些行会变成乱码。请将整个文件以同一种编码（UTF-8 CSV）另存后重新上传。",
    ),
    "file.rows_more": ("{rows} and {more} more", "{rows} 等（另有 {more} 行）"),
    "file.encoding_unknown_other": ("in another encoding", "其他编码"),
    "file.encoding_in": ("in {encoding}", "{encoding} 编码"),
    "file.mixed_newlines": (
        'The file {file} mixes line endings: line {line} ends with {found}, the lines before it with {expected}, so its rows cannot be told apart reliably. Save it again as CSV (for example "CSV UTF-8" in Excel) and upload again.',
        "文件 {file} 混用了不同的换行符：第 {line} 行以 {found} 结尾，之前各行以 {expected} 结尾，无法可靠地分行。请重新另存为 CSV（例如在 Excel 中另存为“CSV UTF-8”）后上传。",
    ),
    "file.csv_unreadable": (
        "The file {file} could not be read as CSV at line {line}: a quote or a line break there does not fit the CSV format. Check that line (or save the file again as CSV) and upload again.",
        "文件 {file} 第 {line} 行无法按 CSV 读取：该处的引号或换行不符合 CSV 格式。请检查该行（或重新另存为 CSV）后上传。",
    ),
    "file.xlsx_unpacked_too_large": (
        "The workbook {file} is {size_mb} MB once unpacked; the limit is {limit_mb} MB. Split it into smaller files and upload again.",
        "工作簿 {file} 解压后为 {size_mb} MB，超过上限 {limit_mb} MB。请拆分为较小的文件后重新上传。",
    ),
    "file.xlsx_sheet_too_large": (
        "The sheet {sheet} of {file} reaches cell {cell} ({rows} rows × {columns} columns); reading it would take {size_mb} MB, more than the limit of {limit_mb} MB. Delete what lies outside the data (look at cell {cell}) and upload again.",
        "工作簿 {file} 的工作表 {sheet} 延伸至单元格 {cell}（{rows} 行 × {columns} 列）；读取需要 {size_mb} MB，超过上限 {limit_mb} MB。请删除数据区域以外的内容（检查单元格 {cell}）后重新上传。",
    ),
    "file.xlsx_sheet_too_many_rows": (
        "The sheet {sheet} of {file} reaches row {rows} (cell {cell}); the limit is {limit} data rows. Delete what lies below the data, or split the file, and upload again.",
        "工作簿 {file} 的工作表 {sheet} 延伸至第 {rows} 行（单元格 {cell}），超过上限 {limit} 行数据。请删除数据下方的内容或拆分文件后重新上传。",
    ),
    "file.xlsx_beyond_excel": (
        "The workbook {file} is damaged: {detail}, beyond what Excel allows ({limit}).",
        "工作簿 {file} 已损坏：{detail}，超出 Excel 的允许范围（{limit}）。",
    ),
    "file.xlsx_cell_ref": ("the sheet {sheet} has a cell at {cell}", "工作表 {sheet} 含有位于 {cell} 的单元格"),
    "file.xlsx_long_text": ("a cell holds more than 32,767 characters", "某个单元格超过 32,767 个字符"),
    "file.xlsx_excel_limits": (
        "1,048,576 rows, 16,384 columns, 32,767 characters in a cell",
        "1,048,576 行、16,384 列、每个单元格 32,767 个字符",
    ),
    "file.unreadable": (
        "The file {file} could not be read ({reason}). Check that it is a CSV, XLSX, Parquet or OCDS JSON file and upload again.",
        "无法读取文件 {file}（{reason}）。请确认它是 CSV、XLSX、Parquet 或 OCDS JSON 文件后重新上传。",
    ),
    "cli.output_folder_missing": (
        "The folder of {path} does not exist; create it first or choose another path.",
        "{path} 所在的文件夹不存在；请先创建该文件夹或另选路径。",
    ),
    "cli.output_is_input": (
        "{path} is the input file itself; choose another path for the output.",
        "{path} 就是输入文件本身；请为输出另选路径。",
    ),
    "cli.output_is_folder": ("{path} is a folder; give a file name.", "{path} 是文件夹；请给出文件名。"),
    # --- audit key and head, command-line accounts and settings, page errors --------------------------
    "audit.gap": (
        "Audit entries are missing: {entries} (deleted).",
        "审计记录缺失：{entries}（已被删除）。",
    ),
    "audit.truncated": (
        "The audit log ends at entry #{entry}, but entries up to #{expected} were written: the newest entries were deleted.",
        "审计日志止于记录 #{entry}，但曾写入至记录 #{expected}：最新的记录已被删除。",
    ),
    "audit.head_missing": (
        "The recorded head {hash} is not in the audit log: the entries up to it were deleted or rewritten.",
        "另行保存的日志头哈希 {hash} 不在审计日志中：截至该记录的条目已被删除或改写。",
    ),
    "audit.head_found": (
        "The recorded head {hash} is entry #{entry}, still in the log.",
        "另行保存的日志头哈希 {hash} 对应记录 #{entry}，仍在日志中。",
    ),
    "audit.key_missing": (
        "The audit key file {path} is missing: entries written with it cannot be verified. Restore it from where you keep it.",
        "审计密钥文件 {path} 不存在：用它写入的记录无法核验。请从保存处恢复该文件。",
    ),
    "audit.bad_key": (
        "The audit key file {path} cannot be read ({reason}). Restore it from where you keep it.",
        "无法读取审计密钥文件 {path}（{reason}）。请从保存处恢复该文件。",
    ),
    "audit.head": (
        "Newest audit entry #{entry}; keep its hash (printed on standard output) elsewhere and check it later with `audit verify --head HASH`.",
        "最新审计记录为 #{entry}；请另行保存其哈希值（已输出到标准输出），日后用 `audit verify --head 哈希值` 核对。",
    ),
    "auth.cli_account_disabled": (
        "TRACKER_USER names the account {username}, which is disabled.",
        "TRACKER_USER 指定的账户 {username} 已停用。",
    ),
    "settings.unknown": (
        "There is no setting named {name}. `settings list` shows them all.",
        "没有名为 {name} 的设置。`settings list` 列出全部设置。",
    ),
    "settings.changed": ("{name}: {old} → {new}.", "{name}：{old} → {new}。"),
    "settings.unchanged": ("{name} is already {value}; nothing changed.", "{name} 已是 {value}；未作更改。"),
    "ui.page_error": (
        "Something went wrong while showing this page. It was logged with the error id {error_id}: give that id to your administrator.",
        "显示此页面时出错。错误已记入日志，编号为 {error_id}：请将此编号告知管理员。",
    ),
    # --- hardening: what an agency user is told about assets that are not theirs -----------------------
    "row.asset_not_your_agency": (
        "asset {value} is not in your agency's asset register; if it is yours, register it first.",
        "资产 {value} 不在本单位的资产登记册中；如属本单位，请先登记。",
    ),
    # --- Windows event logs ----------------------------------------------------------------------
    "evtx.not_event_log": (
        "The file {file} is not a Windows event log (.evtx): it does not start with the event log signature.",
        "文件 {file} 不是 Windows 事件日志（.evtx）：文件开头没有事件日志标识。",
    ),
    "evtx.zip_without_logs": (
        "The ZIP file {file} holds no .evtx event log.",
        "压缩文件 {file} 中没有 .evtx 事件日志。",
    ),
    "evtx.bad_zip": (
        "The ZIP file {file} cannot be opened ({reason}).",
        "无法打开压缩文件 {file}（{reason}）。",
    ),
    "glpi.not_inventory": (
        "The file {file} is not a GLPI agent inventory (a JSON document with deviceid and content).",
        "文件 {file} 不是 GLPI 代理的资产清单（应为含 deviceid 和 content 的 JSON 文档）。",
    ),
    "glpi.date_unreadable": (
        'The date "{value}" in {field} is not a date and time; it is left out.',
        "{field} 中的“{value}”不是日期时间，已略去。",
    ),
    "glpi.no_day_seen": (
        "The inventory {file} holds no date on which the computer was seen on (start-up time, inventory date, last "
        "sign-in); nothing was stored. Dates left out: {notes}",
        "清单 {file} 中没有可证明该计算机开机的日期（启动时间、清单日期、最后登录），未存储任何数据。已略去的日期：{notes}",
    ),
    "glpi.yearless_unreadable": (
        'The last sign-in date "{value}" is not written as weekday, month, day and time; it is left out.',
        "最后登录日期“{value}”不是“星期 月 日 时间”的格式，已略去。",
    ),
    "glpi.yearless_no_reference": (
        'The last sign-in date "{value}" has no year and the inventory has no other date to take it from; it is left out.',
        "最后登录日期“{value}”没有年份，清单中也没有其他日期可推断年份，已略去。",
    ),
    "glpi.yearless_ambiguous": (
        'The last sign-in date "{value}" has no year, and {fits} of the years {years} put that day on that weekday; it is left out.',
        "最后登录日期“{value}”没有年份，在 {years} 中有 {fits} 个年份的该日期为同一星期几，无法确定，已略去。",
    ),
    "devices.found": (
        "Devices named in the file: {found}; matched to the asset register: {matched}; not matched: {unmatched}.",
        "文件中的设备：{found} 台；已对应到资产登记：{matched} 台；未对应：{unmatched} 台。",
    ),
    "devices.intervals": (
        "{intervals:powered-on or signed-in interval|powered-on or signed-in intervals} read, making {days:usage day|usage days}.",
        "读取了 {intervals} 个开机或登录时段，折合 {days} 个使用日。",
    ),
    "devices.unreadable": (
        "Damaged parts of the log were skipped; their records are not used and nothing is put in their place "
        "(file: bytes): {parts}.",
        "日志中损坏的部分已跳过，其中的记录未使用，也未以任何推测代替（文件：字节位置）：{parts}。",
    ),
    "evtx.no_intervals": (
        "The event log {file} holds no start, stop or sign-in from which a powered-on or signed-in time can be told "
        "({records:record|records} read; damaged parts skipped (file: bytes): {unreadable}; records in them that could not "
        "be read: at least {lost}). Nothing was stored.",
        "事件日志 {file} 中没有可据以计算开机或登录时长的开机、关机或登录记录（已读取 {records} 条记录；跳过的损坏部分（文件：字节位置）："
        "{unreadable}；其中无法读取的记录：至少 {lost} 条）。未存储任何数据。",
    ),
    "evtx.security_without_logons": (
        "The Security log {file} records no sign-in: its audit policy may not log logons, so it proves nothing about use.",
        "安全日志 {file} 中没有任何登录记录：可能未启用登录审核，因此不能证明使用情况。",
    ),
    "evtx.unreadable": (
        "The event log {file} cannot be read ({reason}).",
        "无法读取事件日志 {file}（{reason}）。",
    ),
}

# The whole table: each part's keys are its own (a test checks that none is defined twice).
PARTS: tuple[dict[str, tuple[str, str]], ...] = (
    CORE_MESSAGES,
    NAME_MESSAGES,
    REASON_MESSAGES,
    RULE_MESSAGES,
    PAGE_MESSAGES,
    EXPORT_MESSAGES,
    SERVICE_MESSAGES,
    TRANSFER_MESSAGES,
    METERS_MESSAGES,
    TRUST_MESSAGES,
    TRUSTUI_MESSAGES,
    REALLOCATION_MESSAGES,
    EVENTLOG_MESSAGES,
    TRUSTCORE_MESSAGES,
    STANDARDS_MESSAGES,
    CLI_MESSAGES,
    WALKTHROUGH_MESSAGES,
    LAKE_MESSAGES,
)
MESSAGES: dict[str, tuple[str, str]] = {key: texts for part in PARTS for key, texts in part.items()}


@dataclass(frozen=True)
class Message:
    """A translatable message: a key of MESSAGES and its parameters."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


def preferred_language(*wanted: object) -> str:
    """ "zh" or "en" from the first preference given: an explicit choice (?lang=), then what the browser asks for
    (its locale such as "zh-CN", an Accept-Language header such as "zh-CN,zh;q=0.9,en;q=0.8"); "en" without any."""
    for value in wanted:
        if isinstance(value, str) and value.strip():
            return "zh" if value.strip().lower().startswith("zh") else "en"
    return "en"


def _lang_index(lang: str) -> int:
    return 1 if lang.lower().startswith("zh") else 0


def render(message: Message, lang: str = "en") -> str:
    """Render a message in the given language ("en" or "zh"); numbers, lists and nested messages are shown for that language."""
    template = MESSAGES[message.key][_lang_index(lang)]
    params = {k: _display(v, lang) for k, v in message.params.items()}
    return fill(template, params)


def template(key: str, lang: str = "en") -> str:
    """The text of `key` in the language with its placeholders unfilled."""
    return MESSAGES[key][_lang_index(lang)]


def text(key: str, lang: str = "en", /, **params: object) -> str:
    """The text of `key` in the language, its placeholders filled with `params` as they are (str.format)."""
    return fill(template(key, lang), params)


def reason(what: str, **params: object) -> Message:
    """Why a value was refused (`reason.<what>`), rendered in the reader's language inside the message that carries it."""
    return Message(f"reason.{what}", params)


def name(enumeration: str, code: str, lang: str = "en") -> str:
    """The name of an enumeration's value (`role`, `review_status`, `severity`, `asset_status`, `upload_status`,
    `kind`, `category`, `table`), or the code itself when the table does not name it."""
    names = MESSAGES.get(f"{enumeration}.{code}")
    return names[_lang_index(lang)] if names else code


def kind_name(kind: str, lang: str = "en") -> str:
    return name("kind", kind, lang)


def category_name(category: str | None, lang: str = "en") -> str:
    """A category as people read it; a category the table does not name is shown by its code."""
    if category is None:
        return "—"
    names = MESSAGES.get(f"category.{category}")
    if names:
        return names[_lang_index(lang)]
    return category if _lang_index(lang) else category.replace("_", " ").capitalize()


def _display(value: object, lang: str) -> str:
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, (list, tuple)):
        sep = "、" if _lang_index(lang) else ", "
        return sep.join(_display(v, lang) for v in value)
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
