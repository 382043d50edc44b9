package org.pclean.ingest;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.stream.Collectors;
import org.pclean.casacore.MsMetadata;

/** A listobs-style text summary of an MS: what ingest sees before it plans partitions. */
public final class MsSummary {
  /** MJD 0 (1858-11-17) as Unix seconds: MS TIME is MJD seconds. */
  private static final double MJD_EPOCH_UNIX_SECONDS = -3506716800.0;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private MsSummary() {}

  public static String format(String path, MsMetadata md) {
    StringBuilder sb = new StringBuilder();
    sb.append("MeasurementSet ").append(path).append('\n');
    double t0 = md.timeRange()[0];
    double t1 = md.timeRange()[1];
    sb.append(String.format(Locale.ROOT, "  telescope %s, %d rows, %s to %s UTC (%.1f min)%n", md.telescope(),
        md.rows(), utc(t0), utc(t1), (t1 - t0) / 60.0));
    sb.append("  data columns: ").append(md.dataColumns().stream().map(c -> c.columnName())
        .collect(Collectors.joining(", "))).append(md.hasWeightSpectrum() ? "; WEIGHT_SPECTRUM" : "").append('\n');
    sb.append("  fields (").append(md.fields().size()).append("):\n");
    for (MsMetadata.Field f : md.fields()) {
      sb.append(String.format(Locale.ROOT, "    %d %-12s %s %s J2000%n", f.id(), f.name(), hms(f.ra()), dms(f.dec())));
    }
    sb.append("  spectral windows (").append(md.spectralWindows().size()).append("):\n");
    for (MsMetadata.SpectralWindow s : md.spectralWindows()) {
      double[] f = s.channelFrequencies();
      sb.append(String.format(Locale.ROOT, "    %d %-8s %4d ch %12.6f - %12.6f MHz, width %.3f kHz%n", s.id(), s.name(),
          s.numChannels(), f[0] / 1e6, f[f.length - 1] / 1e6, s.channelWidths()[0] / 1e3));
    }
    for (MsMetadata.Polarization p : md.polarizations()) {
      sb.append("  polarization ").append(p.id()).append(": ")
          .append(p.correlations().stream().map(Enum::name).collect(Collectors.joining(" "))).append('\n');
    }
    sb.append("  antennas (").append(md.antennas().size()).append("): ")
        .append(md.antennas().stream().map(MsMetadata.Antenna::name).collect(Collectors.joining(" "))).append('\n');
    sb.append(String.format(Locale.ROOT, "  longest baseline %.1f m%n", longestBaseline(md)));
    return sb.toString();
  }

  /**
   * Longest distance between two antennas of the ANTENNA table, metres. Rows with position (0, 0, 0), which
   * some MSs carry for antennas that did not observe, are left out.
   */
  public static double longestBaseline(MsMetadata md) {
    double max = 0;
    var ants = md.antennas().stream()
        .filter(a -> a.position()[0] != 0 || a.position()[1] != 0 || a.position()[2] != 0).toList();
    for (int i = 0; i < ants.size(); i++) {
      for (int j = i + 1; j < ants.size(); j++) {
        double[] a = ants.get(i).position();
        double[] b = ants.get(j).position();
        max = Math.max(max, Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2)));
      }
    }
    return max;
  }

  static String utc(double mjdSeconds) {
    return TIME.format(Instant.ofEpochMilli(Math.round((mjdSeconds + MJD_EPOCH_UNIX_SECONDS) * 1000)));
  }

  /** Right ascension, radians -> hh:mm:ss.sss. */
  static String hms(double ra) {
    double h = ((Math.toDegrees(ra) / 15.0) % 24 + 24) % 24;
    long ms = Math.round(h * 3600_000);
    return String.format(Locale.ROOT, "%02d:%02d:%06.3f", ms / 3600_000, ms / 60_000 % 60, (ms % 60_000) / 1000.0);
  }

  /** Declination, radians -> +dd.mm.ss.ss (CASA's notation). */
  static String dms(double dec) {
    double d = Math.toDegrees(dec);
    long cs = Math.round(Math.abs(d) * 360_000);
    return String.format(Locale.ROOT, "%s%02d.%02d.%05.2f", d < 0 ? "-" : "+", cs / 360_000, cs / 6000 % 60,
        (cs % 6000) / 100.0);
  }
}
