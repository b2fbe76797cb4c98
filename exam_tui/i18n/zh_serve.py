"""中文消息:浏览器考试终端(exam-tui serve)。"""

MESSAGES: dict[str, str] = {
    "serve.title": "廉政教育考试系统 — {mode}",
    "serve.mode.candidate": "考生端",
    "serve.mode.practice": "练习",
    "serve.mode.proctor": "监考台",
    "serve.mode.admin": "管理端",
    "serve.listening": "{mode}已在浏览器中提供:{url}(每个浏览器标签页运行一个独立的考试终端;按 Ctrl+C 停止)",
    "serve.page.start": "开始",
    "serve.page.ended": "本终端已结束。",
    "serve.page.restart": "重新打开",
    "serve.warning": "警告:{text}",
    "serve.session_needs_mode": "--session 只能用于 candidate 或 proctor 模式(当前为 {mode})",
    "serve.bad_public_url": "--public-url {url} 不可用:应为 https://主机名[:端口][/路径] 形式的地址",
    "serve.http_public_url": "--public-url {url} 是明文 http 地址:考生的按键和答案会未经加密地在网络上传输。"
    "请在前面设置 TLS 反向代理并使用 https:// 地址(见 docs/deployment.md「浏览器考试终端」);"
    "确属隔离的考场网络时,加 --insecure-http 明确接受",
    "serve.wildcard_needs_url": "--host {host} 监听所有网卡,但浏览器无法通过 {host} 访问:"
    "请用 --public-url 给出考生浏览器实际访问的地址(通常是 TLS 反向代理的 https:// 地址)",
    "serve.exposed_needs_flag": "--host {host} 会让网络上的其他机器直接以明文 http 访问本服务。"
    "推荐做法:保持默认的 127.0.0.1,由本机的 TLS 反向代理对外提供,并加 --public-url https://…"
    "(见 docs/deployment.md「浏览器考试终端」);确属隔离的考场网络时,加 --insecure-http 明确接受",
    "serve.warn_exposed": "正在监听 {host}:{port},网络上的其他机器可以访问;"
    "请用防火墙只放行反向代理或本考场的网段",
    "serve.warn_plain_http": "浏览器与本服务之间为明文 http,不加密:考生的按键、身份证号和答案可被同一网络中的人截获",
    "serve.warn_staff_mode": "{mode} 模式需要员工登录,可查看题目答案、名单和成绩:"
    "只能让员工机器访问,绝不能向考生所在网络开放(考生只用 --mode candidate)",
    "serve.full": "已有 {tabs} 个终端在运行(--max-tabs),拒绝了又一个浏览器连接",
    "serve.bad_host": "无法解析监听地址 {host}:{detail}",
    "serve.port_in_use": "端口 {port} 已被占用({host}):可能已有一个 exam-tui serve 在运行;请停止它,或用 --port 换一个端口",
    "serve.port_denied": "没有权限监听端口 {port}:1024 以下的端口需要管理员权限;请用 --port 8000 之类的端口,并由反向代理对外提供 443",
    "serve.host_not_here": "本机没有地址 {host}:请检查 --host",
    "serve.cannot_listen": "无法在 {host}:{port} 上监听:{detail}",
}
