"""How `tenantry serve` runs the application: one uvicorn process (`server`), or N worker
processes sharing one port under a supervisor (`workers`)."""
