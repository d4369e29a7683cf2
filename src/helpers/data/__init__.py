"""The data layer: editions (paths, descriptor, metadata), loading, parsing and provenance."""
