from fitcoach.cli import main

raise SystemExit(main())
