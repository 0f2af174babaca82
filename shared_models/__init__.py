"""What the desktop client and the sync server must agree on.

Models, enums, wire schemas, bucket rules, merge policies and pure business
rules. Nothing here touches Qt, FastAPI, the network or the disk.
"""
