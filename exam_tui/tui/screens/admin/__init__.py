"""The admin's screens: grading, appeals and the rest of the admin area."""
