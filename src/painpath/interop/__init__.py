"""Adapters to the ecosystem's languages (FHIR R4 today; CDS Hooks and bulk NDJSON to come).

Interop is sans-I/O: mapping functions take parsed data and return data.
"""
