"""Supervised tasks (督办, issue 22): the plan's measures as tasks for units, their progress
reports, the lead unit's review, task deadlines swept like case deadlines, and 举一反三 制度建设
tasks following a concluded case."""
