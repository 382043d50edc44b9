"""Test tooling: casacore's TOPO -> FRAME Doppler factor at each TIME of an MS, via python3-casacore Measures.

Observer at the mean ANTENNA position (ITRF), towards field 0's PHASE_DIR (J2000). Prints "time factor" lines,
factor = f_FRAME / f_TOPO (of 1 GHz). Usage: /usr/bin/python3 frame_factors.py MS FRAME
"""
import sys

from casacore import measures, quanta, tables as pt

ms, frame = sys.argv[1:3]
times = sorted(set(pt.table(ms, ack=False).getcol("TIME")))
centre = pt.table(ms + "/ANTENNA", ack=False).getcol("POSITION").mean(axis=0)
ra, dec = pt.table(ms + "/FIELD", ack=False).getcol("PHASE_DIR")[0][0]
dm = measures.measures()
dm.do_frame(dm.position("ITRF", *[quanta.quantity(x, "m") for x in centre]))
dm.do_frame(dm.direction("J2000", quanta.quantity(ra, "rad"), quanta.quantity(dec, "rad")))
for t in times:
    dm.do_frame(dm.epoch("UTC", quanta.quantity(t, "s")))
    out = dm.measure(dm.frequency("TOPO", quanta.quantity(1.0, "GHz")), frame)
    print(repr(t), repr(out["m0"]["value"] / 1e9))
