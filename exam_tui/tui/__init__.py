"""The Textual terminal UI: a home screen with three roles, built by :func:`exam_tui.tui.app.make_app`."""
