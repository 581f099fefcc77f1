import sys

from tenantry_client.cli import main

sys.exit(main())
