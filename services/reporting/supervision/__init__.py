"""The campaign's supervision in figures (issue 22): tasks per measure and unit, overdue tasks
by unit (accountability), inspections per county with the unannounced share, and the villages'
data-request register, projected from `task.*`, `inspection.*` and `datarequest.*`."""
