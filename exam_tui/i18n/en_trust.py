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
}
