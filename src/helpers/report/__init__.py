"""What a page shows: figures, tables, sentences and labels, per language."""
