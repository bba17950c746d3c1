from deliberation.analysis.e5fast import main

raise SystemExit(main())
