"""The ingest: source pages become Pelican articles: read -> clean -> structure -> classify -> write."""
