"""her2sim.io."""
