"""Private iCalendar feeds of a user's or a branch's schedule (issue 5.4)."""
