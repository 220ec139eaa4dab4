"""Server-rendered SVG charts (no script, no internet): each chart is drawn as inline SVG with
its axes, units and legend, and comes with the table of its figures (screen readers, copying)."""
