"""exam-tui: terminal exams and training records for integrity education of public officials."""

__version__ = "0.1.0"
