"""Cases driven by intake's events: a report opens a case or joins the open case it repeats; a
review request reopens a replied case inside its window."""
