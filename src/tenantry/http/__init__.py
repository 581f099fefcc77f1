"""The HTTP kernel shared by the REST API, the web pages and the sandbox control plane.

Request context and MS-* headers, body reading, the error envelope, locale negotiation and
the dependencies every route takes. `api/`, `web/` and `control/` sit on it as siblings;
it imports none of them.
"""
