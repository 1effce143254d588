"""The quarterly reporting cycle: periods, submissions and their review, park identity across periods, what changed."""
