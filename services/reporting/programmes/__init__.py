"""The Women's Federation's programmes in figures (issue 23): per county, aid applications and
aid granted (count, amount by fund source, share to poor villages), school coverage and its
gaps, pairings and visits, homes and activities, selections; projected from `federation.*`
(durable `reporting-federation`) into reporting's own tables. Only ids, county, village, status,
counts and amounts are kept: never a name, a diagnosis, a payment detail or a child's
reference."""
