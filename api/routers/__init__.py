"""HTTP routers of contract v1, one module per resource."""
