"""Messages about Windows event logs read as usage evidence: logs that prove nothing about use, the intervals derived."""

EVENTLOG_MESSAGES: dict[str, tuple[str, str]] = {
    "evtx.not_usage_log": (
        "The event log {file} is the {channels} log: it holds no start, stop or sign-in among its {records:readable record|readable records}, "
        "so it does not tell when a machine was on or in use. Upload the System log (powered-on time) or the Security "
        "log (signed-in time) from C:\\Windows\\System32\\winevt\\Logs. Damaged parts skipped (file: bytes): "
        "{unreadable}; records in them that could not be read: at least {lost}. Nothing was stored.",
        "事件日志 {file} 是 {channels} 日志：其中可读的 {records} 条记录没有任何开机、关机或登录记录，不能说明电脑何时开机或使用。"
        "请上传 C:\\Windows\\System32\\winevt\\Logs 中的 System 日志（开机时长）或 Security 日志（登录时长）。"
        "跳过的损坏部分（文件：字节位置）：{unreadable}；其中无法读取的记录：至少 {lost} 条。未存储任何数据。",
    ),
}

EVENTLOG_MESSAGES |= {
    "intervals.heading": ("Intervals read from the event logs", "从事件日志读取的时段"),
    "intervals.caption": (
        'Per machine, the time its logs prove. "—": the logs hold no such evidence (unknown, not zero): the '
        "System log proves powered-on time, the Security log signed-in time. Times in UTC.",
        "每台电脑的日志所能证明的时长。“—”表示日志中没有此类证据（未知，并非为零）：System 日志证明开机时长，"
        "Security 日志证明登录时长。时间为 UTC。",
    ),
    "intervals.timeline": ("Timeline of the intervals", "时段时间线"),
    "intervals.column.machine": ("Machine", "计算机"),
    "intervals.column.asset": ("Asset", "资产"),
    "intervals.column.powered_on_hours": ("Powered on (h)", "开机（小时）"),
    "intervals.column.signed_in_hours": ("Signed in (h)", "登录（小时）"),
    "intervals.column.intervals": ("Intervals", "时段数"),
    "intervals.column.first": ("From", "起"),
    "intervals.column.last": ("To", "止"),
    "intervals.each": ("Each interval ({count})", "各时段（{count} 个）"),
    "intervals.column.device": ("Device", "设备"),
    "intervals.column.evidence": ("Evidence", "证据"),
    "intervals.column.start": ("Start", "开始"),
    "intervals.column.end": ("End", "结束"),
    "intervals.column.hours": ("Hours", "小时"),
    "intervals.evidence.powered_on": ("Powered on", "开机"),
    "intervals.evidence.signed_in": ("Signed in", "登录"),
}
