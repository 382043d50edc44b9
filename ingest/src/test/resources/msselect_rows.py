"""Test oracle: the rows casacore's MSSelection keeps, through TaQL's mscal UDFs (python3-casacore).

usage: msselect_rows.py MS baseline|uvdist EXPRESSION  -> prints the kept row numbers, one line, space-separated
"""
import sys

import casacore.tables as tables

ms, kind, expression = sys.argv[1], sys.argv[2], sys.argv[3]
if kind not in ("baseline", "uvdist"):
    sys.exit("kind must be baseline or uvdist")
t = tables.table(ms, ack=False)
quoted = expression.replace("'", "\\'")
rows = tables.taql(f"select rownumber() as r from $t where mscal.{kind}('{quoted}')")
print(" ".join(str(r) for r in (rows.getcol("r") if rows.nrows() else [])))
