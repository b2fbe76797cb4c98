"""English messages: least-privilege roles on PostgreSQL (exam-tui init --roles)."""

MESSAGES: dict[str, str] = {
    "roles.sqlite": "database roles are for PostgreSQL only; for a single machine on SQLite see "
    'docs/deployment.md, "Least privilege": the file owned by a service account, exam-tui sit reached '
    "through a restricted entry",
    "roles.bad_name": "the role or user name {name} cannot be used: lower-case letters, digits and _ only, "
    "starting with a letter or _",
    "roles.bad_group": "there is no role group {group} (choose: {groups})",
    "roles.password_file": "cannot read the password file {path}: {detail}",
    "roles.password_short": "the first line of the password file {path} must have at least 12 characters",
    "roles.failed": "cannot set up the database roles: {detail} (run as a superuser, e.g. postgres)",
    "roles.login_needs_group": "--login needs --group and --password-file as well",
    "cli.roles.done": "database roles ready: admin {owner}, proctor {proctor}, candidate terminals {candidate} "
    "(candidate terminals reach only their own attempt, through the exam_tui_* functions; run this again "
    "after upgrading exam-tui)",
    "cli.roles.login_created": "login user {name} created (in {group})",
    "cli.roles.login_updated": "login user {name} existed: password reset, member of {group}",
    "desk.no_admission": "this terminal holds no valid sign-in: sign in again",
    "desk.not_handed_in": "the paper is not handed in yet: no result to show",
    "desk.failed": "the sign-in desk failed: {detail}. Call the proctor",
    "desk.unknown_request": "the sign-in desk does not serve {kind} requests",
    "desk.unavailable": "the sign-in desk does not answer (is exam-tui desk or a proctor console running on the proctor's machine?). Call the proctor",
    "cli.desk.serving": "sign-in desk serving: sign-ins, starts, hand-ins and results for lab machines signed in as the candidate-terminal role. Ctrl+C stops it",
    "cli.desk.served": "{time} served {count} request(s)",
    "cli.desk.stopped": "sign-in desk stopped",
    "cli.desk.sqlite": "the sign-in desk is for PostgreSQL: candidate terminals on SQLite use the database directly",
}
