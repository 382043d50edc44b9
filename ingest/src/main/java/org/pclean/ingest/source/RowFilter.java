package org.pclean.ingest.source;

/**
 * Which rows of a selection are left out before Stokes I is formed: autocorrelations (ANTENNA1 == ANTENNA2, as
 * tclean and WSClean leave them out of interferometric images) and the rows a {@link RowSelection} does not keep.
 * Reads only the columns its selection needs: ANTENNA1/2 always, SCAN_NUMBER for a scan selection, UVW for a
 * uvrange.
 */
final class RowFilter {
  private final VisibilitySource ms;
  private final RowSelection rows;
  private final AntennaSelection.Baselines baselines;
  private final double refFrequency;

  /** @param spw the spectral window read (its reference frequency converts wavelength uvranges) */
  RowFilter(VisibilitySource ms, RowSelection rows, int spw) {
    this.ms = ms;
    this.rows = rows;
    this.baselines = rows.antenna().all() ? null : rows.antenna().resolve(ms.metadata().antennas());
    this.refFrequency = ms.metadata().spectralWindows().get(spw).refFrequency();
  }

  /** Which of rows [row0, row0 + n) of the selection are left out. */
  boolean[] excluded(long row0, int n) {
    int[] a1 = ms.readIntColumn("ANTENNA1", row0, n);
    int[] a2 = ms.readIntColumn("ANTENNA2", row0, n);
    int[] scans = rows.scan().all() ? null : ms.readIntColumn("SCAN_NUMBER", row0, n);
    double[] uvw = rows.uvrange().all() ? null : ms.readUvw(row0, n);
    boolean[] out = new boolean[n];
    for (int k = 0; k < n; k++) {
      out[k] = a1[k] == a2[k]
          || (baselines != null && !baselines.keeps(a1[k], a2[k]))
          || (scans != null && !rows.scan().keeps(scans[k]))
          || (uvw != null && !rows.uvrange().keeps(uvw[3 * k], uvw[3 * k + 1], refFrequency));
    }
    return out;
  }
}
