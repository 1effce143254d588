"""geo/ingest"""
