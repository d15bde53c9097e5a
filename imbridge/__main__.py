from imbridge.cli import main

raise SystemExit(main())
