"""Chinese messages: whole ID numbers for admins only, and the audit chain's head on results sheets."""

MESSAGES: dict[str, str] = {
    "audit.head_note": "审计链末端 #{seq} · {hash}…（前 16 位）",
    "pii.unknown_account": "没有账号 {login}",
    "pii.not_admin": "账号 {login} 不是启用的管理员账号，只有管理员可以输出完整身份证号",
    "cli.pii.no_by": "输出完整身份证号须由管理员确认：请用 --by 指明管理员账号，并输入其密码",
    "cli.pii.password_prompt": "管理员 {login} 的密码（输入时不显示）",
    "cli.pii.no_tty": "这里没有终端可以输入密码：请用 --password-file FILE 给出管理员 {login} 的密码",
    "cli.pii.refused": "未输出完整身份证号：{reason}",
    "cli.audit.sheet_unreadable": "看不懂结果单上的审计链末端 “{text}”:应为 #2552 · 3f9a… 或 2552:3f9a…(至少 8 位十六进制)",
    "cli.audit.sheet_ok": "结果单 #{seq} {hash}…:审计链仍经过这一环,打印后未被改写",
    "cli.audit.sheet_differs": "结果单 #{seq} {hash}…:审计链第 {seq} 条的哈希已不同,结果单打印后审计链被改写过",
    "cli.audit.sheet_missing": "结果单 #{seq} {hash}…:审计链中没有第 {seq} 条,结果单打印后审计链被截短或改写过",
    "cli.audit.sheets_broken": "{count} 份结果单与审计链不一致",
}
