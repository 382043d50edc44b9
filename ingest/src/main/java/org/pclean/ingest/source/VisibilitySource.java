package org.pclean.ingest.source;

import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsMetadata;

/**
 * Where visibilities enter pclean: a MeasurementSet on a filesystem ({@link MeasurementSetSource}), or a dataset on
 * the bus — a bounded range of a {@code pclean.vis.<dataset>} topic replayed ({@link DatasetReader}), or the dumps
 * of one time window of a live stream ({@link DumpTable}). The imaging engine reads only through this interface,
 * so every imaging mode (serial, parallel cube, parallel continuum, snapshots) runs on every source.
 *
 * <p>What every source guarantees, whatever it is backed by:
 * <ul>
 *   <li><b>Rows</b> are MS main-table rows: one baseline, one integration, one data description. Row numbers are
 *       positions in the current selection ({@link #selectFieldsAndSpws}, {@link #selectTimeRange}), 0-based, in
 *       the order they were observed (a streamed MS replays in the MS's own row order within each dump).
 *   <li><b>Metadata</b> ({@link #metadata()}) is the MS's subtables as imaging needs them: antennas, fields
 *       (phase centres), spectral windows (TOPO channel frequencies and widths), polarizations (correlation
 *       order as in the POLARIZATION table), data descriptions, the columns present.
 *   <li><b>Arrays</b> are row outermost, as MS cells: {@code vis[((row*nchan + chan)*ncorr + corr)*2 + {re,im}]}
 *       in Jy; flags and weights {@code [(row*nchan + chan)*ncorr + corr]}; uvw {@code [row*3 + {u,v,w}]} in
 *       metres, as stored in the MS (x(ant2) − x(ant1), J2000 frame of the phase centre).
 *   <li><b>Flags</b>: FLAG per sample (1 = flagged); FLAG_ROW separately ({@link #readFlagRow}); a streamed
 *       dataset folds FLAG_ROW into FLAG and reports it as well.
 *   <li><b>Weights</b> are natural weights per sample: WEIGHT_SPECTRUM, else WEIGHT, else 1/SIGMA².
 *   <li>Stokes I is not formed here: correlations arrive as stored, and {@link VisibilityLoader} forms I by
 *       CASA's rule, so the same conversion runs on every source.
 * </ul>
 * A read covers rows of one data description (one shape). Not thread-safe: one source per thread (casacore
 * underneath is not thread-safe either).
 */
public interface VisibilitySource extends AutoCloseable {
  /** What the data is, for messages: "MeasurementSet /data/x.ms" or "dataset vla1 (pclean.vis.vla1)". */
  String describe();

  MsMetadata metadata();

  /**
   * What image headers record of the observation for an image of spectral window spw. Without an MS (a replayed
   * dataset) the observer and rest frequency are unknown and the frequencies are taken as topocentric, as a
   * correlator produces them.
   */
  default org.pclean.casacore.ObservationInfo observation(int spw) {
    MsMetadata md = metadata();
    return new org.pclean.casacore.ObservationInfo(md.telescope(), "", md.timeRange()[0], "TOPO", 0);
  }

  /**
   * Restricts reads to rows of the given field ids and spectral windows (empty arrays select all); a field or
   * spw the source does not have is an error naming it. Replaces any earlier field/spw selection.
   */
  void selectFieldsAndSpws(int[] fieldIds, int[] spwIds);

  /** Restricts reads further to rows whose TIME lies in [from, to) (MJD seconds); null clears it. */
  void selectTimeRange(double[] fromTo);

  /** Rows in the current selection. */
  long numRows();

  double[] readUvw(long row0, int nrow);

  /** TIME, MJD seconds (UTC). */
  double[] readTime(long row0, int nrow);

  /** An integer main-table column: ANTENNA1, ANTENNA2, FIELD_ID, DATA_DESC_ID or SCAN_NUMBER. */
  int[] readIntColumn(String column, long row0, int nrow);

  boolean[] readFlagRow(long row0, int nrow);

  float[] readVisibilities(DataColumn column, long row0, int nrow, int chan0, int nchan);

  byte[] readFlags(long row0, int nrow, int chan0, int nchan);

  float[] readWeights(long row0, int nrow, int chan0, int nchan);

  @Override
  void close();
}
