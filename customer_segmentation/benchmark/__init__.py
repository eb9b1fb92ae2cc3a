"""Benchmark: the dbt project against a plain pandas + scikit-learn notebook, by file size.

For each size, a seeded customer file is generated once (cached in ``--data-dir``), then the
notebook baseline (``bench/baseline_notebook.py``) and the project's main job run
alternately, ``--repeat`` times each, so that drift on a shared machine hits both alike. The
main job is what ``make run`` does: the production build (``dbt build
--exclude-resource-type unit_test``, every model and data test, into a fresh DuckDB file),
then publishing and the report on the database it wrote. Each run is timed and its peak
memory read through ``bench/measure_process.py``. Then, untimed, both labellings are
scored on the same rows (the customers both kept, their parsed raw values standardised
once): the within-cluster sum of squares, so a faster or slower side cannot hide a worse
clustering.

Every build sees the same project, vars and profile: ``customers_path`` is a link in the
data dir pointed at each size's file in turn, and the DuckDB file and target folder keep
one path. So, as in a working project where the file is refreshed and the build runs
again, each timed build starts from dbt's saved parse (``partial_parse.msgpack``); one
untimed ``dbt parse`` per size makes sure of it. A full parse, paid once after the
project or its vars change, adds several seconds that no timed run includes.

After each build it times the dbt floor: a generated project with as many models and
tests as the build ran, each doing no work, built with the same profile. That is what dbt
itself costs a build of this size of graph here, whatever the SQL. Beside it, each size's
model chain: the on-run-start hooks plus the slowest chain of models that wait on each
other, from the timed build's own node times and dependencies (the critical path of the
models as they ran).

It prints a table (medians over the repeats) and a line per target, and updates
``results.json`` and ``RESULTS.md`` in ``--results-dir`` (the committed ones in ``bench/``
by default) for the sizes it measured, keeping the other sizes' rows.

Modules, by job: ``runs`` (the measured processes), ``dbt_nodes`` (node ids and times, the
model chain), ``dbt_floor``, ``inertia`` (the clustering comparison), ``size`` (one size's
runs and medians), ``tables`` (the printed and Markdown tables, the column notes),
``targets``, ``results_file`` (the committed results), ``cli`` (the command line, run by
``bench/notebook_vs_project.py``).
"""
