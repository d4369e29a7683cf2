"""Pure analysis functions over one Facts object (or the curated tables of an edition)."""
