"""Server-rendered pages: the sign-in page (and the partner portal), in en-US, zh-CN, zh-TW."""
