"""The Official Account's local records: its private templates, menu drafts and media."""
