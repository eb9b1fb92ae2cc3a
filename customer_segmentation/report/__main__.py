"""``python -m customer_segmentation.report``: see ``customer_segmentation.report.cli``."""

from customer_segmentation.report.cli import main

main()
