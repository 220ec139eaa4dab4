"""Inspections (督查, 暗访; issue 22): visits planned or unannounced, who went, when and where,
their findings made reports through intake's inspection channel, and the risk-weighted draw of
where to go next (`zuofeng inspections sample`)."""
