package org.pclean.ingest.source;

import org.pclean.casacore.DataColumn;

/**
 * tclean's data selection of a run, as a source applies it.
 *
 * @param field field ids (empty: all)
 * @param spw spectral window ids (empty: all)
 * @param chanRange first and last channel of the spw (inclusive), or null for all
 * @param spwChannels several spws or channel ranges (then spw holds their ids and chanRange is null); empty
 *     when spw and chanRange say it all
 * @param datacolumn the column to image (CORRECTED falls back to DATA with a warning, as in tclean)
 * @param phasecenter [ra, dec] J2000 radians, or null for the first selected field's
 * @param timerange [from, to) MJD seconds (UTC), or null for all times
 * @param rows the antenna, scan and uvrange selection (rows it leaves out are read as flagged)
 */
public record DataSelection(int[] field, int[] spw, int[] chanRange, DataColumn datacolumn, double[] phasecenter,
    double[] timerange, java.util.List<SpwChannels> spwChannels, RowSelection rows) {
  /** One spw (or all), at most one channel range, every antenna, scan and uv distance. */
  public DataSelection(int[] field, int[] spw, int[] chanRange, DataColumn datacolumn, double[] phasecenter,
      double[] timerange) {
    this(field, spw, chanRange, datacolumn, phasecenter, timerange, java.util.List.of(), RowSelection.ALL);
  }

  /** Whether this selects several spws or channel ranges (read one spw and range at a time, then merged). */
  public boolean several() {
    return !spwChannels.isEmpty();
  }
}
