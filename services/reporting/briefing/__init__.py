"""The monthly briefing (工作通报) as a Word or PDF document: the month's figures from the same
stats queries as the API, laid out the way government briefings are."""
