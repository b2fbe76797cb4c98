"""Use cases. The CLI and the TUI call these functions and nothing below them."""
