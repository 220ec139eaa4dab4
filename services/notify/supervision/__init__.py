"""Notices of the campaign's supervision (issue 22): supervised tasks (`task.*`) told to their
responsible and lead units, and inspection findings (`inspection.*`) told to the visited
county's office. Units only: no reporter is ever told from here, and nothing that identifies a
reporter is in these events (a finding names only its report id)."""
