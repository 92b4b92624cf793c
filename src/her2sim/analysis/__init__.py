"""her2sim.analysis."""
