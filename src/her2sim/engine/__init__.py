"""her2sim.engine."""
