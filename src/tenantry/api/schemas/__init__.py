"""Wire schemas: Partner Center's JSON in and out, mapped to and from domain objects."""
