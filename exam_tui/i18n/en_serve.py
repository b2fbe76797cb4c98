"""English messages: the exam in a browser tab (exam-tui serve)."""

MESSAGES: dict[str, str] = {
    "serve.title": "Integrity Education Exams — {mode}",
    "serve.mode.candidate": "candidate terminal",
    "serve.mode.practice": "practice",
    "serve.mode.proctor": "proctor console",
    "serve.mode.admin": "admin",
    "serve.listening": "Serving the {mode} in the browser at {url} (each browser tab runs its own exam terminal; Ctrl+C stops)",
    "serve.page.start": "Start",
    "serve.page.ended": "This terminal has ended.",
    "serve.page.restart": "Open again",
    "serve.warning": "Warning: {text}",
    "serve.session_needs_mode": "--session applies to the candidate and proctor modes only (this is {mode})",
    "serve.bad_public_url": "--public-url {url} cannot be used: give an address like https://host[:port][/path]",
    "serve.http_public_url": "--public-url {url} is plain http: candidates' keystrokes and answers would cross the network unencrypted. "
    "Put a TLS reverse proxy in front and give its https:// address (docs/deployment.md, 'Browser terminals'); "
    "on an isolated exam-room network, add --insecure-http to accept it explicitly",
    "serve.wildcard_needs_url": "--host {host} listens on every interface, but browsers cannot reach it as {host}: "
    "give the address candidates' browsers use with --public-url (usually the TLS reverse proxy's https:// address)",
    "serve.exposed_needs_flag": "--host {host} lets other machines on the network reach this server directly over plain http. "
    "Recommended: keep the default 127.0.0.1 behind a TLS reverse proxy on this machine and add --public-url https://… "
    "(docs/deployment.md, 'Browser terminals'); on an isolated exam-room network, add --insecure-http to accept it explicitly",
    "serve.warn_exposed": "listening on {host}:{port}, reachable from other machines on the network; "
    "let the firewall admit only the reverse proxy or the exam room's subnet",
    "serve.warn_plain_http": "browsers talk to this server over plain http, unencrypted: candidates' keystrokes, ID numbers and answers can be read by anyone on the same network",
    "serve.warn_staff_mode": "the {mode} mode signs in staff, who see answer keys, rosters and results: "
    "let only staff machines reach it, never the candidates' network (candidates get --mode candidate only)",
    "serve.full": "{tabs} terminals are running already (--max-tabs): one more browser connection was refused",
    "serve.bad_host": "Cannot resolve the address to listen on, {host}: {detail}",
    "serve.port_in_use": "Port {port} is already in use ({host}): another exam-tui serve may be running; stop it or choose another --port",
    "serve.port_denied": "No permission to listen on port {port}: ports below 1024 need administrator rights; use a port like --port 8000 and let the reverse proxy serve 443",
    "serve.host_not_here": "This machine has no address {host}: check --host",
    "serve.cannot_listen": "Cannot listen on {host}:{port}: {detail}",
}
