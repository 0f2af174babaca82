"""HTTP surface of the sync server: dependencies, routers and route modules."""
