"""两癌 aid: applications (`applications`, their steps in `workflow`, the sealed details in
`details`), what officers and applicants see (`views`) and the city's drives (`drives`)."""
