"""The HTTP face of Tenantry: Partner Center's REST API, byte for byte."""
