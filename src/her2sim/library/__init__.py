"""her2sim.library: shipped model families, their catalogues and literature checks."""

#: Shipped model families, as "module:attribute" (loaded by :mod:`her2sim.family` on first use).
FAMILIES: tuple[str, ...] = ("her2sim.library.her2_family:FAMILY",)
