"""Who is calling: partners' app credentials, signing keys and access tokens."""
