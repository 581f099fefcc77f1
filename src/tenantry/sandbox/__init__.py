"""The sandbox's state as a whole: reset, seed, export and import (docs/sandbox-state.md).

The use cases of the sandbox control plane (`control/state.py`) and of `serve --seed`,
over one port (`ports.py`) that `storage/sandbox_store.py` implements: one transaction
that may replace everything, serialised against every other one.
"""
