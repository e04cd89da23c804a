"""What the test users share."""

PASSWORD = "correct-horse-battery-9"  # every test user's password
