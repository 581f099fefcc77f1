import sys

from tenantry.commands import main

sys.exit(main())
