"""Why a value was refused, said inside a message ("Setting currency has an invalid value "x": {reason}").

`reason.<what>` -> (English, Chinese); raise with `reason=reason("number_at_least_zero")`, so the
reason is rendered in the reader's language with the rest of the message.
"""

from __future__ import annotations

REASON_MESSAGES: dict[str, tuple[str, str]] = {
    "reason.one_of": ("{choices}", "{choices}"),
    "reason.unknown_setting": ("unknown setting", "未知的设置项"),
    # why a file named like a workbook cannot be opened as one (tracker.ingest.readers.workbook_damage)
    "reason.workbook_password": (
        "it is protected by a password: open it in Excel, remove the password and save it again",
        "文件设有密码保护：请在 Excel 中打开，取消密码后重新保存",
    ),
    "reason.workbook_old_format": (
        "it is an Excel 97–2003 workbook under an .xlsx name: rename it to .xls, or save it as .xlsx in Excel",
        "这是以 .xlsx 命名的 Excel 97–2003 工作簿：请改名为 .xls，或在 Excel 中另存为 .xlsx",
    ),
    "reason.workbook_other_content": (
        "its content is not a workbook's: it may be another kind of file renamed",
        "其内容不是工作簿，可能是改了扩展名的其他文件",
    ),
    "reason.file_damaged": (
        "it is damaged or incomplete, perhaps cut short while it was copied or downloaded: copy it again",
        "文件已损坏或不完整，可能在复制或下载时被截断：请重新复制",
    ),
    "reason.workbook_zip_without_workbook": (
        "it is a ZIP archive that holds no workbook",
        "这是一个 ZIP 压缩包，其中没有工作簿",
    ),
    "reason.workbook_unreadable": (
        "its workbook structure cannot be read: open it in Excel and save it again",
        "无法读取其工作簿结构：请在 Excel 中打开并重新保存",
    ),
    "reason.unknown_parameter": ("unknown parameter", "未知的参数"),
    "reason.currency_code": ("three-letter ISO 4217 code", "应为三位 ISO 4217 币种代码"),
    "reason.month_number": ("a month number 1-12", "应为 1 到 12 的月份数字"),
    "reason.positive_whole_number": ("a positive whole number", "应为正整数"),
    "reason.whole_number": ("a whole number", "应为整数"),
    "reason.number_at_least_zero": ("a number ≥ 0", "应为不小于 0 的数字"),
    "reason.positive_days": ("a positive number of days", "应为正的天数"),
    "reason.whole_days_at_least": ("a whole number of days, at least {minimum}", "应为整数天数，至少 {minimum} 天"),
    "reason.date": ("a date", "应为日期"),
    "reason.at_least_one_profile": ("at least one category profile", "至少需要一个类别配置"),
    "reason.days_rule": ('either "workdays" or "all"', "应为 workdays（工作日）或 all（每天）"),
    "reason.hours_and_life_positive": (
        "hours per day and life in years must be above 0",
        "每日小时数和使用年限必须大于 0",
    ),
    "reason.unknown_country": ("not a country known to the holidays calendar", "节假日日历中没有该国家"),
    "reason.unknown_timezone": ("unknown time zone", "未知的时区"),
    "reason.at_most": ("at most {limit}", "最多 {limit}"),
    "reason.demo_scale": ("choose small, medium or large", "请选择 small、medium 或 large"),
    "reason.window_ends_before_start": (
        "the window ends before it starts ({start})",
        "统计窗口的结束日期早于开始日期（{start}）",
    ),
    "reason.mixed_encodings": (
        "the text is not valid UTF-8 here; the file mixes encodings. Save it again as UTF-8.",
        "此处文字不是有效的 UTF-8；文件混用了多种编码。请重新另存为 UTF-8。",
    ),
    "reason.parquet_not_text": (
        "a text column holds bytes that are not UTF-8 text: the file may be damaged, export it again",
        "某个文本列含有非 UTF-8 编码的内容：文件可能已损坏，请重新导出",
    ),
    "reason.parquet_unreadable": (
        "its structure cannot be read: export it again from the system that wrote it",
        "无法读取其文件结构：请从生成它的系统重新导出",
    ),
    "reason.ocds_kind_changes": (
        "the field {path} is a list in one release and an object or a single value in another",
        "字段 {path} 在不同发布中的类型不一致（列表、对象或单个值）",
    ),
    "reason.ocds_not_mergeable": (
        "their values cannot be combined into one record of the process",
        "其内容无法合并为该项目的一条完整记录",
    ),
    "reason.json_at": ("{detail} at line {line}, column {column}", "第 {line} 行第 {column} 列：{detail}"),
    # where a JSON text goes wrong (tracker.ingest.json_stream.json_problem)
    "reason.json_value_expected": ("a value is missing here", "此处缺少一个值"),
    "reason.json_comma_expected": ("a comma is missing here", "此处缺少逗号"),
    "reason.json_colon_expected": ("a colon is missing after a name", "名称后缺少冒号"),
    "reason.json_name_expected": ("a name in double quotes is expected here", "此处应为带双引号的名称"),
    "reason.json_not_closed": (
        "a text or a list is not closed: the file may be cut short",
        "有文本或列表没有结束：文件可能不完整",
    ),
    "reason.json_extra_data": ("more text follows the end of the document", "文档结束后还有多余内容"),
    "reason.json_control_character": ("a text holds a control character", "文本中含有控制字符"),
    "reason.json_bad_escape": ("a text holds an invalid escape (\\)", "文本中有无效的转义符（\\）"),
    "reason.json_one_of": ("{expected} is expected here", "此处应为 {expected}"),
    "reason.json_not_valid": ("the text is not valid JSON here", "此处不是有效的 JSON"),
    "reason.json_not_text": ("its bytes are not text in UTF-8", "其内容不是 UTF-8 编码的文本"),
    "reason.json_line_column": ("line {line}, column {column}: {detail}", "第 {line} 行第 {column} 列：{detail}"),
    "reason.json_line": ("line {line}: {detail}", "第 {line} 行：{detail}"),
}
