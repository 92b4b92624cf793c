"""Virtual cohorts and virtual clinical trials (in construction)."""
