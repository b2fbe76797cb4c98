"""Chinese messages: whole ID numbers for admins only, and the audit chain's head on results sheets."""

MESSAGES: dict[str, str] = {
    "audit.head_note": "审计链末端 #{seq} · {hash}…（前 16 位）",
    "pii.unknown_account": "没有账号 {login}",
    "pii.not_admin": "账号 {login} 不是启用的管理员账号，只有管理员可以输出完整身份证号",
    "cli.pii.no_by": "输出完整身份证号须由管理员确认：请用 --by 指明管理员账号，并输入其密码",
    "cli.pii.password_prompt": "管理员 {login} 的密码（输入时不显示）",
    "cli.pii.no_tty": "这里没有终端可以输入密码：请用 --password-file FILE 给出管理员 {login} 的密码",
    "cli.pii.refused": "未输出完整身份证号：{reason}",
}
