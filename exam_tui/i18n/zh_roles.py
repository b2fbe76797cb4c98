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
    "desk.no_admission": "这台终端没有有效的签到:请重新签到",
    "desk.not_handed_in": "答卷尚未交卷,成绩还不能查看",
    "desk.failed": "签到服务处理出错:{detail}。请联系监考员",
    "desk.unknown_request": "签到服务不处理此类请求:{kind}",
    "desk.unavailable": "签到服务没有响应(监考机上的 exam-tui desk 或监考台未运行?)。请联系监考员",
    "cli.desk.serving": "签到服务已启动:为以考生终端角色登录的考场机器办理签到、开考、交卷和成绩查询。按 Ctrl+C 停止",
    "cli.desk.served": "{time} 已处理 {count} 个请求",
    "cli.desk.stopped": "签到服务已停止",
    "cli.desk.sqlite": "签到服务只用于 PostgreSQL:SQLite 上的考生终端直接读写数据库",
}
