"""The officials' pages' common frame (issue 17): one layout, style sheet and navigation for
the pages every service serves to signed-in officials, so the workbench (cases), the inbox
(notify), the desk (intake) and the dashboard (reporting) look and link as one application.

A service renders its own templates through `templates(its_dir)`, which also finds
`officials/layout.html` here; `mount(app)` serves the style sheet at `/officials/static/`;
`frame(request, settings, session, english)` gives the layout what it shows (navigation for the
person's role, their name, the sign-out form and its token, the language switch).
"""

from shared.officials.frame import NAV, frame, mount, templates

__all__ = ["NAV", "frame", "mount", "templates"]
