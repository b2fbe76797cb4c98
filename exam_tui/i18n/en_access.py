"""English messages: the services' own check of a staff account's assignments (consoles, grading queues)."""

MESSAGES: dict[str, str] = {
    "access.not_assigned": "Account {login} is not assigned to proctor session {session} and may not act on it",
    "access.not_grader": "Account {login} is not assigned to grade session {session}",
    "access.account_gone": "Account {login} no longer exists or is disabled: sign in again",
}
