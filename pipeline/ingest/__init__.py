"""The ingest: source pages become Pelican articles through read -> clean -> structure -> classify -> write."""
