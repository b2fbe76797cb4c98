"""中文消息:PostgreSQL 的最小权限角色(exam-tui init --roles)。"""

MESSAGES: dict[str, str] = {
    "roles.sqlite": "数据库角色只用于 PostgreSQL;SQLite 单机部署请按 docs/deployment.md「最小权限」一节,"
    "用服务账户持有数据库文件、考生经受限入口运行 exam-tui sit",
    "roles.bad_name": "角色或用户名 {name} 不可用:只能用小写字母、数字和下划线,以字母或下划线开头",
    "roles.bad_group": "没有 {group} 这个角色组(可选:{groups})",
    "roles.password_file": "无法读取密码文件 {path}:{detail}",
    "roles.password_short": "密码文件 {path} 的第一行至少要有 12 个字符",
    "roles.failed": "无法设置数据库角色:{detail}(需以超级用户运行,例如 postgres)",
    "roles.login_needs_group": "--login 需要同时给出 --group 和 --password-file",
    "cli.roles.done": "数据库角色已就绪:管理 {owner},监考 {proctor},考生终端 {candidate}"
    "(考生终端只能经 exam_tui_* 函数读写自己的答卷;升级 exam-tui 后请再运行一次)",
    "cli.roles.login_created": "已创建登录用户 {name}(属于 {group})",
    "cli.roles.login_updated": "登录用户 {name} 已存在:已重设密码并确认属于 {group}",
}
