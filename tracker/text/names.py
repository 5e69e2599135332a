"""The names of the tracker's enumerations, defined once: `<enumeration>.<code>` -> (English, Chinese).

Roles are named in sentence case because messages use them mid-sentence ("an account with the role
auditor ..."); pages capitalise them when they stand alone. The other names are labels.
"""

from __future__ import annotations

NAME_MESSAGES: dict[str, tuple[str, str]] = {
    # --- roles (tracker.access.auth.ROLES) ----------------------------------------------------
    "role.admin": ("administrator", "管理员"),
    "role.finance": ("finance officer", "财务人员"),
    "role.auditor": ("auditor", "审计人员"),
    "role.agency": ("agency data officer", "单位数据员"),
    # --- what a role may do (tracker.access.auth.ACTIONS) -------------------------------------
    "action.upload": ("upload files", "上传文件"),
    "action.review": ("review findings", "复核问题线索"),
    "action.export": ("export findings", "导出问题线索"),
    "action.settings": ("change settings", "修改设置"),
    "action.users": ("manage users", "管理用户"),
    "action.audit": ("read the audit log", "查看审计日志"),
    # --- review statuses of a finding (tracker.casework.review.STATUSES) ----------------------
    "review_status.open": ("Open", "待复核"),
    "review_status.confirmed": ("Confirmed", "已确认"),
    "review_status.dismissed": ("Dismissed", "已驳回"),
    "review_status.resolved": ("Resolved", "已整改"),
    # --- severities of a rule (tracker.engine.rules.model.SEVERITIES) -------------------------
    "severity.high": ("High", "高"),
    "severity.medium": ("Medium", "中"),
    "severity.low": ("Low", "低"),
    "severity.info": ("Info", "提示"),
    # --- asset statuses (tracker.ingest.contracts.STATUSES) -----------------------------------
    "evidence.usage": ("usage file", "使用记录"),
    "evidence.signed_in": ("signed in (Security log)", "登录时长（安全日志）"),
    "evidence.powered_on": ("powered on (System log)", "开机时长（系统日志）"),
    "evidence.seen": ("seen on (inventory)", "在线记录（资产清单）"),
    "asset_status.in_use": ("In use", "在用"),
    "asset_status.idle": ("Idle", "闲置"),
    "asset_status.in_storage": ("In storage", "库存"),
    "asset_status.standby": ("Standby", "备用"),
    "asset_status.disposed": ("Disposed", "报废"),
    # --- upload statuses (tracker.ingest.uploads) ----------------------------------------------
    "upload_status.committed": ("Committed", "已提交"),
    "upload_status.partial": ("Good rows committed, rejects kept", "已提交无误行，保留被拒行"),
    "upload_status.unchanged": ("Nothing changed", "无变化"),
    # --- record kinds (tracker.ingest.contracts.KINDS), as named inside sentences -------------
    "kind.procurement": ("procurement", "采购"),
    "kind.assets": ("asset register", "资产登记"),
    "kind.usage": ("usage log", "使用记录"),
    "kind.requests": ("purchase requests", "配置申请"),
    # --- equipment categories (tracker.domain.categories.CATEGORIES) --------------------------
    "category.desktop": ("Desktop", "台式机"),
    "category.laptop": ("Laptop", "笔记本电脑"),
    "category.tablet": ("Tablet", "平板电脑"),
    "category.monitor": ("Monitor", "显示器"),
    "category.printer": ("Printer", "打印机"),
    "category.copier": ("Copier", "复印机"),
    "category.scanner": ("Scanner", "扫描仪"),
    "category.projector": ("Projector", "投影仪"),
    "category.av_conference": ("AV conference", "会议系统"),
    "category.camera": ("Camera", "摄像机"),
    "category.instrument": ("Instrument", "仪器仪表"),
    "category.server": ("Server", "服务器"),
    "category.network": ("Network", "网络设备"),
    "category.storage": ("Storage", "存储设备"),
    "category.other": ("Other", "其他"),
    # --- stored tables, as the stored-data page names them (tracker.views.browse.TABLES) ------
    "table.procurement_lines": ("Procurement lines", "采购明细"),
    "table.assets": ("Assets", "资产"),
    "table.usage_daily": ("Daily usage", "每日使用"),
    "table.agencies": ("Agencies", "单位"),
    "table.uploads": ("Uploads", "上传记录"),
    "table.rejected_rows": ("Rejected rows kept", "保留的被拒绝行"),
    # --- stored settings (tracker.store.config.SETTINGS) --------------------------------------
    "setting.currency.label": ("Currency", "币种"),
    "setting.currency.help": (
        "ISO 4217 code of amounts without a currency column, and of values at stake.",
        "没有币种列的金额及涉及金额所用的 ISO 4217 币种代码。",
    ),
    "setting.country.label": ("Country calendar", "国家日历"),
    "setting.country.help": (
        "Country whose public holidays and adjusted workdays define available days.",
        "以该国家的法定节假日和调休工作日确定设备的可用日。",
    ),
    "setting.fiscal_year_start_month.label": ("Fiscal year starts in", "财年起始月份"),
    "setting.fiscal_year_start_month.help": (
        "Month (1-12) in which the fiscal year starts: 1 in China, 10 for US federal, 4 in the UK.",
        "财年开始的月份（1-12）：中国为 1 月，美国联邦为 10 月，英国为 4 月。",
    ),
    "setting.timezone.label": ("Time zone", "时区"),
    "setting.timezone.help": (
        "Time zone that session timestamps with an offset are converted to before they are split into days.",
        "带时区偏移的会话时间在拆分为每日时长前换算到的时区。",
    ),
    "setting.max_upload_mb.label": ("Largest upload (MB)", "上传文件大小上限（MB）"),
    "setting.max_upload_mb.help": (
        "Largest file accepted by an upload, in megabytes; checked before parsing.",
        "单次上传允许的最大文件大小（MB），在解析文件之前检查。",
    ),
    "setting.max_upload_rows.label": ("Most rows per upload", "单次上传行数上限"),
    "setting.max_upload_rows.help": ("Most data rows accepted in one upload.", "单次上传允许的最多数据行数。"),
    # --- languages, each named in itself -----------------------------------------------------
    "language.en": ("English", "English"),
    "language.zh": ("中文", "中文"),
    # --- months, as the settings page names them ----------------------------------------------
    "month.1": ("January", "1 月"),
    "month.2": ("February", "2 月"),
    "month.3": ("March", "3 月"),
    "month.4": ("April", "4 月"),
    "month.5": ("May", "5 月"),
    "month.6": ("June", "6 月"),
    "month.7": ("July", "7 月"),
    "month.8": ("August", "8 月"),
    "month.9": ("September", "9 月"),
    "month.10": ("October", "10 月"),
    "month.11": ("November", "11 月"),
    "month.12": ("December", "12 月"),
}
