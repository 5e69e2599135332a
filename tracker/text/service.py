"""What the service says, in English and Chinese: the push API's refusals, API tokens, and their admin section."""

from __future__ import annotations

SERVICE_MESSAGES: dict[str, tuple[str, str]] = {
    # --- API tokens ------------------------------------------------------------------------
    "service.token_bad_name": (
        "A token name has 3 to 64 lower-case letters, digits, dots, dashes or underscores, not {name}.",
        "令牌名称须为 3 至 64 个小写字母、数字、点、短横线或下划线，{name} 不符合。",
    ),
    "service.token_exists": ("A token named {name} already exists.", "名为 {name} 的令牌已存在。"),
    "service.token_unknown": ("There is no token named {name}.", "没有名为 {name} 的令牌。"),
    "service.token_created": (
        "Token {name} created. Copy it now: it is shown this once and cannot be read back.",
        "已创建令牌 {name}。请立即复制：它只显示这一次，之后无法再查看。",
    ),
    "service.token_revoked": (
        "Token {name} revoked: it is refused from its next call.",
        "已吊销令牌 {name}：此后的调用将被拒绝。",
    ),
    # --- the push API's refusals -------------------------------------------------------------
    "service.api.token_missing": (
        "This call needs an API token: send it as 'Authorization: Bearer <token>'.",
        "此调用需要 API 令牌：请以 'Authorization: Bearer <令牌>' 发送。",
    ),
    "service.api.token_refused": (
        "The API token is not valid: it is unknown, mistyped or revoked.",
        "API 令牌无效：令牌未知、有误或已被吊销。",
    ),
    "service.api.role_refused": (
        "A token with the role {role} may not call {endpoint}.",
        "角色为{role}的令牌无权调用 {endpoint}。",
    ),
    "service.api.unknown_kind": (
        "There is no record kind {kind}: use one of {kinds}.",
        "没有名为 {kind} 的记录类型：请使用 {kinds} 之一。",
    ),
    "service.api.not_multipart": (
        "Send the file as multipart/form-data, in a part named 'file'.",
        "请以 multipart/form-data 发送文件，字段名为 'file'。",
    ),
    "service.api.malformed_multipart": (
        "The multipart body could not be read: {reason}.",
        "无法读取 multipart 请求体：{reason}。",
    ),
    "service.api.no_file": (
        "The request has no file: send it in a part named 'file', with its file name.",
        "请求中没有文件：请在名为 'file' 的字段中发送，并带上文件名。",
    ),
    "service.api.too_large": (
        "The request is larger than the upload limit of {limit_mb} MB; nothing was read past the limit and nothing was stored.",
        "请求超过上传上限 {limit_mb} MB；超出部分未被读取，也未存储任何数据。",
    ),
    "service.api.rate_limited": (
        "Too many calls with this token: at most {limit} a minute. Try again in {seconds:second|seconds}.",
        "此令牌调用过于频繁：每分钟最多 {limit} 次。请在 {seconds} 秒后重试。",
    ),
    "service.api.busy": (
        "Another upload is being stored; this one was not read. Try again in a minute.",
        "另一个上传正在存储中；本次上传未被读取。请一分钟后重试。",
    ),
    "service.api.bad_parameter": ("The parameter {name} cannot be {value}: {reason}.", "参数 {name} 不能为 {value}：{reason}。"),
    "service.api.upload_not_found": (
        "There is no upload {upload_id} that this token may read.",
        "没有此令牌可以查看的上传 {upload_id}。",
    ),
    "service.api.failed": (
        "The call failed on the server (reference {reference}); nothing was stored.",
        "服务器处理调用失败（编号 {reference}）；未存储任何数据。",
    ),
    # --- the admin section -------------------------------------------------------------------
    "service.section.tokens": ("API tokens", "API 令牌"),
    "service.caption.tokens": (
        "Agencies' systems push files to /api/v1/uploads with a token; auditors read /api/v1/findings. "
        "A token acts in one role, and an agency's for one agency only.",
        "各单位的系统使用令牌向 /api/v1/uploads 推送文件；审计人员读取 /api/v1/findings。"
        "每个令牌只以一种角色操作，单位令牌仅限一个单位。",
    ),
    "service.field.token_name": ("Token name (e.g. a001-nightly)", "令牌名称（例如 a001-nightly）"),
    "service.field.role": ("Role", "角色"),
    "service.field.agency": ("Agency code (agency tokens only)", "单位代码（仅限单位令牌）"),
    "service.button.create": ("Create token", "创建令牌"),
    "service.field.revoke": ("Token to revoke", "要吊销的令牌"),
    "service.button.revoke": ("Revoke", "吊销"),
    "service.note.no_tokens": ("No API tokens yet.", "尚无 API 令牌。"),
}
