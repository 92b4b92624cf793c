"""her2sim.library."""
