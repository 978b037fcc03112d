"""`python -m local_cluster --cluster NAME=CRDSET`: see :func:`local_cluster.apiserver.main`."""

from local_cluster.apiserver import main

raise SystemExit(main())
