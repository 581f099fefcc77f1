"""Key material, encryption at rest and secret hashing."""
