"""Benchmark: the dbt project against a plain pandas + scikit-learn notebook, by file size.

What it measures and how: ``customer_segmentation.benchmark`` (its package doc).

    .venv/bin/python bench/notebook_vs_project.py --sizes 100000 1000000 --repeat 2
"""

from customer_segmentation.benchmark.cli import main

if __name__ == "__main__":
    main()
