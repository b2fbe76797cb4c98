"""中文消息：服务层对职员账号分配的核查（监考场次、阅卷队列）。"""

MESSAGES: dict[str, str] = {
    "access.not_assigned": "账号 {login} 未受指派监考第 {session} 场，不能操作该场次",
    "access.not_grader": "账号 {login} 未受指派批阅第 {session} 场的试卷",
    "access.account_gone": "账号 {login} 已不存在或已停用，请重新登录",
}
