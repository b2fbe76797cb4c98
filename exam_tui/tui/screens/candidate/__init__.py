"""The candidate's screens: sign in, rules and waiting, the exam, hand-in, the result."""
