"""Test tooling: append MS b to MS a (copied to out) as a second spectral window, with python3-casacore.

b must be the same observation layout (same correlations and channel count) at other frequencies: its
SPECTRAL_WINDOW row and DATA_DESCRIPTION row are appended, and its main-table rows are appended with the new
DATA_DESC_ID. Usage: /usr/bin/python3 merge_spws.py OUT A B
"""
import sys

from casacore import tables as pt

out, a, b = sys.argv[1:4]
src = pt.table(a, ack=False)
src.copy(out, deep=True)
src.close()

spw_out = pt.table(out + "/SPECTRAL_WINDOW", readonly=False, ack=False)
spw_b = pt.table(b + "/SPECTRAL_WINDOW", ack=False)
spw_b.copyrows(spw_out)
new_spw = spw_out.nrows() - 1

dd_out = pt.table(out + "/DATA_DESCRIPTION", readonly=False, ack=False)
dd_b = pt.table(b + "/DATA_DESCRIPTION", ack=False)
dd_b.copyrows(dd_out)
new_dd = dd_out.nrows() - 1
dd_out.putcell("SPECTRAL_WINDOW_ID", new_dd, new_spw)

main_out = pt.table(out, readonly=False, ack=False)
main_b = pt.table(b, ack=False)
first = main_out.nrows()
added = main_b.nrows()
main_b.copyrows(main_out)
main_out.putcol("DATA_DESC_ID", [new_dd] * added, startrow=first)
for t in (spw_out, spw_b, dd_out, dd_b, main_out, main_b):
    t.close()
print("merged", out, "rows", first, "+", added)
