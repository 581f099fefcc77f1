"""HTTP routes, one module per Partner Center resource."""
