"""Messages about Windows event logs read as usage evidence: logs that prove nothing about use, the intervals derived."""

EVENTLOG_MESSAGES: dict[str, tuple[str, str]] = {
    "evtx.not_usage_log": (
        "The event log {file} is the {channels} log, which does not tell when a machine was on or in use: upload the "
        "System log (powered-on time) or the Security log (signed-in time) from C:\\Windows\\System32\\winevt\\Logs. "
        "{records} records read; damaged parts skipped (file: bytes): {unreadable}. Nothing was stored.",
        "事件日志 {file} 是 {channels} 日志，不能说明电脑何时开机或使用：请上传 C:\\Windows\\System32\\winevt\\Logs 中的 "
        "System 日志（开机时长）或 Security 日志（登录时长）。已读取 {records} 条记录；跳过的损坏部分（文件：字节位置）：{unreadable}。"
        "未存储任何数据。",
    ),
}
