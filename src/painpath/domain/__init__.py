"""Painpath's pure core: clinical rules over plain values, each decision with its reasons.

Nothing here reads a file, a clock, a database or the network (enforced by import-linter and
ruff's banned-api in ``domain/ruff.toml``); knowledge arrives as validated models and today's
date as an argument.
"""
