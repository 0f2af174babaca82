"""The sync protocol both sides speak (DESIGN 3-6): wire schemas, row codec, buckets, merge rules."""
