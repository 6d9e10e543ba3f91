"""Loaders: each turns one kind of source into policykg triples (see :mod:`.registry`)."""
