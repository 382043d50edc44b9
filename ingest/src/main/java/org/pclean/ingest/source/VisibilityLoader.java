package org.pclean.ingest.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the selection of a run (fields, spectral windows and their channel ranges, a time range, the data column) from
 * any {@link VisibilitySource} into Stokes I {@link VisibilityData}, honouring FLAG and FLAG_ROW. Where a
 * visibility enters the engine, whatever its source.
 *
 * <p>Autocorrelations (ANTENNA1 == ANTENNA2) are left out as if flagged — weight 0, so out of the image, the PSF,
 * the sum of weights and the weight density — as tclean and WSClean do: a zero-spacing total-power sample would
 * add a constant offset of its (large) amplitude to every pixel of an interferometric image. So are the rows the
 * antenna, scan and uvrange selection does not keep ({@link RowFilter}).
 */
public final class VisibilityLoader {
  private static final Logger LOG = LoggerFactory.getLogger(VisibilityLoader.class);
  private static final int CHUNK_ROWS = 8192;

  /** Observations whose CORRECTED_DATA fallback was already reported. */
  private static final java.util.Set<String> FELL_BACK = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private VisibilityLoader() {}

  /** The data column actually read: tclean falls back from CORRECTED_DATA to DATA with a warning. */
  public static DataColumn effectiveColumn(MsMetadata md, DataColumn requested) {
    if (md.dataColumns().contains(requested)) {
      return requested;
    }
    if (requested == DataColumn.CORRECTED && md.dataColumns().contains(DataColumn.DATA)) {
      // Said once per observation per process: a run loads its selection several times (planning, chunks, planes).
      String observation = md.telescope() + "/" + md.rows() + "/" + md.timeRange()[0];
      if (FELL_BACK.add(observation)) {
        LOG.warn("CORRECTED_DATA column not present; imaging the DATA column instead (as tclean does)");
      } else {
        LOG.debug("CORRECTED_DATA column not present; imaging the DATA column");
      }
      return DataColumn.DATA;
    }
    throw new IllegalArgumentException("datacolumn '" + requested.name().toLowerCase() + "': the MS has no "
        + requested.columnName() + " column (it has " + md.dataColumns() + ")");
  }

  /**
   * The validated selection of a run, applied to the MS (field and spw rows).
   *
   * @param chan0 first selected channel of the spw
   * @param nchan selected channels
   * @param polarization the POLARIZATION row of the spw's data
   */
  public record Selection(int spw, int chan0, int nchan, int polarization, DataColumn column, double[] phaseCentre,
      RowSelection rows) {
    /** The rows of this selection left out (autocorrelations, and what rows does not keep) of a source. */
    RowFilter filter(VisibilitySource ms) {
      return new RowFilter(ms, rows, spw);
    }
  }

  public static Selection select(VisibilitySource ms, DataSelection p) {
    if (p.several()) {
      // Each spw and range is checked as its own selection; the first one's describes the run (its header).
      Selection first = null;
      for (DataSelection one : singles(p)) {
        Selection s = select(ms, one);
        first = first == null ? s : first;
      }
      return first;
    }
    return select(ms, p, true);
  }

  /** As {@link #select(VisibilitySource, DataSelection)} for one spw; null when it holds no rows and may not. */
  private static Selection select(VisibilitySource ms, DataSelection p, boolean requireRows) {
    MsMetadata md = ms.metadata();
    DataColumn column = effectiveColumn(md, p.datacolumn());
    int[] fields = p.field().length > 0 ? p.field() : java.util.stream.IntStream.range(0, md.fields().size()).toArray();
    for (int f : fields) {
      if (f < 0 || f >= md.fields().size()) {
        throw new IllegalArgumentException("field " + f + " is not in the MS (it has " + md.fields().size()
            + " field(s), ids 0.." + (md.fields().size() - 1) + ")");
      }
    }
    double[] centre = phaseCentre(md, fields);
    if (p.phasecenter() != null && (Math.abs(p.phasecenter()[0] - centre[0]) > 1e-9
        || Math.abs(p.phasecenter()[1] - centre[1]) > 1e-9)) {
      throw new IllegalArgumentException("phasecenter differs from the phase centre of the selected field;"
          + " shifting the phase centre is not supported yet");
    }
    int spw = selectedSpw(md, p.spw());
    ms.selectFieldsAndSpws(p.field(), new int[] {spw});
    ms.selectTimeRange(p.timerange());
    MsMetadata.SpectralWindow sw = md.spectralWindows().get(spw);
    int chan0 = p.chanRange() == null ? 0 : p.chanRange()[0];
    int chan1 = p.chanRange() == null ? sw.numChannels() - 1 : p.chanRange()[1];
    if (chan1 >= sw.numChannels()) {
      throw new IllegalArgumentException("spw " + spw + " has " + sw.numChannels() + " channels; channel " + chan1
          + " does not exist");
    }
    int nchan = chan1 - chan0 + 1;
    if (ms.numRows() == 0 && !requireRows) {
      return null;
    }
    if (ms.numRows() == 0) {
      throw new IllegalArgumentException("the selection (field " + Arrays.toString(p.field()) + ", spw " + spw
          + (p.timerange() == null ? "" : ", timerange") + ") holds no rows of " + ms.describe());
    }
    List<Integer> ddsOfSpw = new ArrayList<>();
    for (MsMetadata.DataDescription dd : md.dataDescriptions()) {
      if (dd.spectralWindow() == spw) {
        ddsOfSpw.add(dd.id());
      }
    }
    int pol = md.dataDescription(ddsOfSpw.get(0)).polarization();
    for (int dd : ddsOfSpw) {
      if (md.dataDescription(dd).polarization() != pol) {
        throw new IllegalArgumentException("spw " + spw + " appears with two polarization setups; not supported yet");
      }
    }
    return new Selection(spw, chan0, nchan, pol, column, centre, p.rows());
  }

  /**
   * Unflagged (channel, correlation) samples of every selected row, reading only FLAG and FLAG_ROW: what a
   * continuum row chunk's gridding time is proportional to, for balancing the chunks.
   */
  public static int[] unflaggedPerRow(VisibilitySource ms, DataSelection p) {
    int[] out;
    if (p.several()) {
      // Each spw's rows in turn (the order load stacks them in); the ranges of one spw add up on its rows.
      List<int[]> spws = new ArrayList<>();
      for (SpwChannels sc : p.spwChannels()) {
        int[] spw = null;
        for (DataSelection one : singles(p, sc)) {
          int[] part = unflaggedOne(ms, one);
          if (spw != null) {
            for (int r = 0; r < part.length; r++) {
              part[r] += spw[r];
            }
          }
          spw = part;
        }
        spws.add(spw);
      }
      out = spws.stream().flatMapToInt(java.util.Arrays::stream).toArray();
    } else {
      out = unflaggedOne(ms, p);
    }
    if (!p.rows().all() && java.util.Arrays.stream(out).allMatch(g -> g == 0)) {
      throw keepsNothing(ms, p);
    }
    return out;
  }

  private static int[] unflaggedOne(VisibilitySource ms, DataSelection p) {
    Selection sel = select(ms, p);
    int nrow = Math.toIntExact(ms.numRows());
    int[] out = new int[nrow];
    RowFilter filter = sel.filter(ms);
    for (int r = 0; r < nrow; r += CHUNK_ROWS) {
      int n = Math.min(CHUNK_ROWS, nrow - r);
      byte[] flags = ms.readFlags(r, n, sel.chan0(), sel.nchan());
      boolean[] flagRow = ms.readFlagRow(r, n);
      boolean[] excluded = filter.excluded(r, n);
      int perRow = flags.length / n;
      for (int k = 0; k < n; k++) {
        int good = 0;
        for (int i = k * perRow; i < (k + 1) * perRow && !flagRow[k] && !excluded[k]; i++) {
          good += flags[i] == 0 ? 1 : 0;
        }
        out[r + k] = good;
      }
    }
    return out;
  }

  /** Selects (as {@link #select}) and reads the Stokes I samples of the run. */
  public static VisibilityData load(VisibilitySource ms, DataSelection p) {
    VisibilityData d = load(ms, p, 0, -1);
    if (!p.rows().all() && !anyWeight(d.weight())) {
      throw keepsNothing(ms, p);
    }
    return d;
  }

  private static boolean anyWeight(float[] weight) {
    for (float w : weight) {
      if (w > 0) {
        return true;
      }
    }
    return false;
  }

  private static IllegalArgumentException keepsNothing(VisibilitySource ms, DataSelection p) {
    return new IllegalArgumentException("the selection (" + p.rows().describe() + ") keeps no unflagged"
        + " cross-correlation of " + ms.describe());
  }

  /**
   * As {@link #load(VisibilitySource, DataSelection)}, or null when the selection holds no rows of this source (a
   * replayed dump of another spw or field, which a replay converting dump by dump skips).
   */
  public static VisibilityData loadIfAny(VisibilitySource ms, DataSelection p) {
    requireSingle(p);
    Selection sel = select(ms, p, false);
    return sel == null ? null : load(ms, sel, 0, -1);
  }

  /**
   * As {@link #load(VisibilitySource, DataSelection)} for rows [rowStart, rowEnd) of the selection (a continuum
   * row chunk); rowEnd -1 means the last row.
   */
  public static VisibilityData load(VisibilitySource ms, DataSelection p, long rowStart, long rowEnd) {
    if (p.several()) {
      return loadSeveral(ms, p, rowStart, rowEnd);
    }
    return load(ms, select(ms, p), rowStart, rowEnd);
  }

  /**
   * Rows [rowStart, rowEnd) (rowEnd -1: to the end) of a selection of several spws and ranges, whose rows are each
   * spw's selected rows in turn: each spw's ranges read as selections of their own and merged on its rows, the
   * spws stacked ({@link SpwMerge}), the channels put in frequency order. A row chunk of a continuum job holds the
   * channels of the spws its rows belong to; the chunks of a selection together hold its samples.
   */
  private static VisibilityData loadSeveral(VisibilitySource ms, DataSelection p, long rowStart, long rowEnd) {
    List<DataSelection> spws = perSpw(p);
    long[] rows = new long[spws.size()];
    long total = 0;
    for (int k = 0; k < rows.length; k++) {
      select(ms, spws.get(k));
      rows[k] = ms.numRows();
      total += rows[k];
    }
    long end = rowEnd < 0 ? total : rowEnd;
    if (rowStart < 0 || rowStart >= end || end > total) {
      throw new IllegalArgumentException("row chunk [" + rowStart + ", " + end + ") is outside the selection's "
          + total + " rows");
    }
    VisibilityData all = null;
    long offset = 0;
    for (int k = 0; k < rows.length; k++) {
      long from = Math.max(rowStart, offset);
      long to = Math.min(end, offset + rows[k]);
      if (from < to) {
        VisibilityData spw = null;
        for (DataSelection one : singles(p, p.spwChannels().get(k))) {
          VisibilityData part = load(ms, select(ms, one), from - offset, to - offset);
          spw = spw == null ? part : SpwMerge.sameRows(spw, part);
        }
        all = all == null ? spw : SpwMerge.stack(all, spw);
      }
      offset += rows[k];
    }
    VisibilityData d = SpwMerge.byFrequency(all);
    if (rowStart == 0 && end == total) {
      LOG.info("spw {}: {} rows x {} channels (a row is zero-weight in the channels of spws other than its own)",
          SpwChannels.format(p.spwChannels()), d.numRows(), d.numChannels());
    }
    return d;
  }

  private static VisibilityData load(VisibilitySource ms, Selection sel, long rowStart, long rowEnd) {
    MsMetadata md = ms.metadata();
    int nchan = sel.nchan();
    int chan0 = sel.chan0();
    long end = rowEnd < 0 ? ms.numRows() : rowEnd;
    if (rowStart < 0 || rowStart >= end || end > ms.numRows()) {
      throw new IllegalArgumentException("row chunk [" + rowStart + ", " + end + ") is outside the selection's "
          + ms.numRows() + " rows");
    }
    int nrow = Math.toIntExact(end - rowStart);
    double[] uvw = new double[3 * nrow];
    float[] vis = new float[Math.multiplyExact(2 * nrow, nchan)];
    float[] weight = new float[Math.multiplyExact(nrow, nchan)];
    boolean[] densityExcluded = new boolean[weight.length];
    StokesIConverter.StokesI out = new StokesIConverter.StokesI(vis, weight, densityExcluded);
    StokesIConverter stokes = new StokesIConverter(md.polarizations().get(sel.polarization()).correlations());
    RowFilter filter = sel.filter(ms);
    for (int r = 0; r < nrow; r += CHUNK_ROWS) {
      int n = Math.min(CHUNK_ROWS, nrow - r);
      long row = rowStart + r;
      double[] u = ms.readUvw(row, n);
      System.arraycopy(u, 0, uvw, 3 * r, 3 * n);
      byte[] flags = ms.readFlags(row, n, chan0, nchan);
      boolean[] flagRow = ms.readFlagRow(row, n);
      boolean[] excluded = filter.excluded(row, n);
      int ncorr = flags.length / (n * nchan);
      for (int k = 0; k < n; k++) {
        if (flagRow[k] || excluded[k]) {
          Arrays.fill(flags, k * nchan * ncorr, (k + 1) * nchan * ncorr, (byte) 1);
        }
      }
      stokes.convert(ms.readVisibilities(sel.column(), row, n, chan0, nchan), flags,
          ms.readWeights(row, n, chan0, nchan), n * nchan, out, r * nchan);
    }
    MsMetadata.SpectralWindow sw = md.spectralWindows().get(sel.spw());
    double[] freq = Arrays.copyOfRange(sw.channelFrequencies(), chan0, chan0 + nchan);
    double[] width = Arrays.copyOfRange(sw.channelWidths(), chan0, chan0 + nchan);
    return new VisibilityData(uvw, freq, width, vis, weight, sel.phaseCentre(), densityExcluded);
  }

  /**
   * TIME (MJD seconds) of every row {@link #load} reads, in the same order: a spectral frame conversion needs each
   * row's Doppler factor.
   */
  public static double[] times(VisibilitySource ms, DataSelection p) {
    List<double[]> chunks = new ArrayList<>();
    int total = 0;
    for (DataSelection one : perSpw(p)) {
      select(ms, one);
      int nrow = Math.toIntExact(ms.numRows());
      double[] t = new double[nrow];
      for (int r = 0; r < nrow; r += CHUNK_ROWS) {
        int n = Math.min(CHUNK_ROWS, nrow - r);
        System.arraycopy(ms.readTime(r, n), 0, t, r, n);
      }
      chunks.add(t);
      total += nrow;
    }
    double[] out = new double[total];
    int at = 0;
    for (double[] t : chunks) {
      System.arraycopy(t, 0, out, at, t.length);
      at += t.length;
    }
    return out;
  }

  /**
   * The frequencies and widths (Hz) of the channels {@link #load(VisibilitySource, DataSelection)} returns, in its
   * order (several spws: in frequency order, as {@link SpwMerge#byFrequency} lays them out), from the metadata
   * alone: what a planner derives the image plane from without reading any visibility.
   */
  public static double[][] channels(MsMetadata md, DataSelection p) {
    List<double[]> chans = orderedChannels(md, p);
    return new double[][] {chans.stream().mapToDouble(c -> c[0]).toArray(),
        chans.stream().mapToDouble(c -> c[1]).toArray()};
  }

  /**
   * The selection of channels [first, last] of {@link #channels}'s order — a sub-cube of a cube over several spws
   * or ranges — as spws with channel ranges: loaded, it holds exactly those planes of the whole selection's cube.
   */
  public static List<SpwChannels> slice(MsMetadata md, DataSelection p, int first, int last) {
    List<double[]> chans = orderedChannels(md, p);
    if (first < 0 || last < first || last >= chans.size()) {
      throw new IllegalArgumentException("channels [" + first + ", " + last + "] are outside the selection's "
          + chans.size() + " channels");
    }
    java.util.Map<Integer, java.util.TreeSet<Integer>> bySpw = new java.util.LinkedHashMap<>();
    for (double[] c : chans.subList(first, last + 1)) {
      bySpw.computeIfAbsent((int) c[2], k -> new java.util.TreeSet<>()).add((int) c[3]);
    }
    List<SpwChannels> out = new ArrayList<>();
    for (var e : bySpw.entrySet()) {
      List<int[]> ranges = new ArrayList<>();
      for (int c : e.getValue()) {
        int[] last0 = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
        if (last0 != null && last0[1] == c - 1) {
          last0[1] = c;
        } else {
          ranges.add(new int[] {c, c});
        }
      }
      out.add(new SpwChannels(e.getKey(), ranges));
    }
    return out;
  }

  /** (frequency, width, spw, channel) of every selected channel, in the order load returns them. */
  private static List<double[]> orderedChannels(MsMetadata md, DataSelection p) {
    List<double[]> chans = new ArrayList<>();
    for (DataSelection one : p.several() ? singles(p) : List.of(p)) {
      int spw = selectedSpw(md, one.spw());
      MsMetadata.SpectralWindow sw = md.spectralWindows().get(spw);
      int c0 = one.chanRange() == null ? 0 : one.chanRange()[0];
      int c1 = one.chanRange() == null ? sw.numChannels() - 1 : one.chanRange()[1];
      for (int c = c0; c <= c1; c++) {
        chans.add(new double[] {sw.channelFrequencies()[c], sw.channelWidths()[c], spw, c});
      }
    }
    if (p.several()) {
      double sign = chans.get(0)[1] >= 0 ? 1 : -1;
      chans.sort(java.util.Comparator.comparingDouble(c -> sign * c[0]));
    }
    return chans;
  }

  /** How many rows the selection holds (several spws: each spw's selected rows, in turn). */
  public static long rows(VisibilitySource ms, DataSelection p) {
    long rows = 0;
    for (DataSelection one : perSpw(p)) {
      select(ms, one);
      rows += ms.numRows();
    }
    return rows;
  }

  /** UVW (metres) of every row of the selection, in the order {@link #load} reads them (several spws in turn). */
  public static double[] uvw(VisibilitySource ms, DataSelection p) {
    List<double[]> parts = new ArrayList<>();
    for (DataSelection one : perSpw(p)) {
      select(ms, one);
      int nrow = Math.toIntExact(ms.numRows());
      double[] uvw = new double[3 * nrow];
      for (int r = 0; r < nrow; r += 65536) {
        int n = Math.min(65536, nrow - r);
        System.arraycopy(ms.readUvw(r, n), 0, uvw, 3 * r, 3 * n);
      }
      parts.add(uvw);
    }
    return parts.size() == 1 ? parts.get(0) : parts.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  /** One selection per spw of p (its first channel range: the ranges of one spw share its rows), or p itself. */
  private static List<DataSelection> perSpw(DataSelection p) {
    return p.several() ? p.spwChannels().stream().map(sc -> singles(p, sc).get(0)).toList() : List.of(p);
  }

  /** One selection per spw and channel range of p. */
  private static List<DataSelection> singles(DataSelection p) {
    List<DataSelection> out = new ArrayList<>();
    for (SpwChannels sc : p.spwChannels()) {
      out.addAll(singles(p, sc));
    }
    return out;
  }

  private static List<DataSelection> singles(DataSelection p, SpwChannels sc) {
    List<DataSelection> out = new ArrayList<>();
    List<int[]> ranges = sc.ranges().isEmpty() ? java.util.Collections.singletonList(null) : sc.ranges();
    for (int[] r : ranges) {
      out.add(new DataSelection(p.field(), new int[] {sc.spw()}, r, p.datacolumn(), p.phasecenter(), p.timerange(),
          java.util.List.of(), p.rows()));
    }
    return out;
  }

  /**
   * The frequencies (Hz) of the channels a selection images: with wholeSpws, every channel of each selected spw
   * (a cube's header rest frequency); in frequency order is not promised.
   */
  public static double[] frequencies(MsMetadata md, DataSelection p, boolean wholeSpws) {
    List<Double> out = new ArrayList<>();
    for (DataSelection one : p.several() ? singles(p) : List.of(p)) {
      int spw = selectedSpw(md, one.spw());
      double[] f = md.spectralWindows().get(spw).channelFrequencies();
      int c0 = wholeSpws || one.chanRange() == null ? 0 : one.chanRange()[0];
      int c1 = wholeSpws || one.chanRange() == null ? f.length - 1 : Math.min(one.chanRange()[1], f.length - 1);
      for (int c = c0; c <= c1; c++) {
        out.add(f[c]);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void requireSingle(DataSelection p) {
    if (p.several()) {
      throw new IllegalArgumentException("a dump-by-dump read of several spws or channel ranges is not supported");
    }
  }

  private static double[] phaseCentre(MsMetadata md, int[] fields) {
    MsMetadata.Field first = md.fields().get(fields[0]);
    for (int f : fields) {
      MsMetadata.Field other = md.fields().get(f);
      if (Math.abs(other.ra() - first.ra()) > 1e-9 || Math.abs(other.dec() - first.dec()) > 1e-9) {
        throw new IllegalArgumentException("fields " + first.id() + " and " + f + " have different phase centres;"
            + " select one field (mosaics are not supported yet)");
      }
    }
    return new double[] {first.ra(), first.dec()};
  }

  private static int selectedSpw(MsMetadata md, int[] spws) {
    if (spws.length > 1) {
      throw new IllegalArgumentException("several spectral windows are read one at a time");  // a bug, not input
    }
    if (spws.length == 1) {
      if (spws[0] < 0 || spws[0] >= md.spectralWindows().size()) {
        throw new IllegalArgumentException("spw " + spws[0] + " is not in the MS (it has "
            + md.spectralWindows().size() + ")");
      }
      return spws[0];
    }
    if (md.spectralWindows().size() > 1) {
      throw new IllegalArgumentException("the MS has " + md.spectralWindows().size()
          + " spectral windows; name them with spw, e.g. 0~" + (md.spectralWindows().size() - 1)
          + " for all (spw '' over several is not supported yet)");
    }
    return 0;
  }
}
