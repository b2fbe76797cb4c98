"""The proctor's screens: the session picker, a session's live console, the summary after 收卷.

Imported lazily by the home screen and the app: a candidate terminal never loads them.
"""
