"""The public pages' view helpers: words, rendering, the form's fields, the proof of work."""
