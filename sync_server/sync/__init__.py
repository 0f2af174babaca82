"""The server half of the sync protocol: writes, bucket membership, pull, push."""
