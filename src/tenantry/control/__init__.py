"""The sandbox control plane under `/_tenantry/`: reset, seed, export and import, faults,
limits and inspection. Sandbox mode only; guarded by the sandbox admin key."""
