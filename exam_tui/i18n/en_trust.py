"""English messages: whole ID numbers for admins only, and the audit chain's head on results sheets."""

MESSAGES: dict[str, str] = {
    "audit.head_note": "Audit chain head #{seq} · {hash}… (first 16 hex digits)",
    "pii.unknown_account": "There is no account {login}",
    "pii.not_admin": "Account {login} is not an enabled admin account; only admins may export whole ID numbers",
    "cli.pii.no_by": "Whole ID numbers need an admin's confirmation: name the admin account with --by and give "
    "its password",
    "cli.pii.password_prompt": "Password of admin {login} (not shown as you type)",
    "cli.pii.no_tty": "There is no terminal to type a password on: give admin {login}'s password with "
    "--password-file FILE",
    "cli.pii.refused": "Whole ID numbers not exported: {reason}",
    "cli.audit.sheet_unreadable": 'cannot read the chain head "{text}" of a results sheet: expected #2552 · 3f9a… or 2552:3f9a… (8 hex digits at least)',
    "cli.audit.sheet_ok": "sheet #{seq} {hash}…: the chain still passes through this link; not rewritten since printing",
    "cli.audit.sheet_differs": "sheet #{seq} {hash}…: event {seq} of the chain has another hash: the chain was rewritten after the sheet was printed",
    "cli.audit.sheet_missing": "sheet #{seq} {hash}…: the chain has no event {seq}: it was cut or rewritten after the sheet was printed",
    "cli.audit.sheets_broken": "{count} results sheet(s) disagree with the audit trail",
}
