package org.pclean.ingest.source;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Time ranges as users write them, in MJD seconds (UTC, the MS's TIME): tclean's
 * {@code timerange='2023/02/25/06:00:00~2023/02/25/06:30:00'} and ISO-8601 UTC instants
 * ({@code 2023-02-25T06:00:00Z}) for {@code pclean replay --from/--to}. Ranges are [from, to).
 */
public final class TimeRanges {
  private static final DateTimeFormatter CASA = DateTimeFormatter.ofPattern("uuuu/MM/dd/HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS][.SS][.S]");

  private TimeRanges() {}

  /** tclean's "T0~T1" (each yyyy/mm/dd/hh:mm:ss[.s] or ISO-8601), as [from, to) MJD seconds. */
  public static double[] parseCasa(String range) {
    String[] parts = range.split("~");
    if (parts.length != 2) {
      throw new IllegalArgumentException("bad timerange '" + range
          + "' (expected e.g. 2023/02/25/06:00:00~2023/02/25/06:30:00)");
    }
    double[] r = {instant(parts[0].trim(), "timerange"), instant(parts[1].trim(), "timerange")};
    if (!(r[1] > r[0])) {
      throw new IllegalArgumentException("timerange '" + range + "' is empty: its end is not after its start");
    }
    return r;
  }

  /** An instant (yyyy/mm/dd/hh:mm:ss or ISO-8601, UTC when no zone is given) in MJD seconds. */
  public static double instant(String text, String what) {
    try {
      if (text.matches("\\d{4}/\\d{2}/\\d{2}/.*")) {
        return mjd(LocalDateTime.parse(text, CASA).toInstant(ZoneOffset.UTC));
      }
      if (text.endsWith("Z") || text.matches(".*[+-]\\d{2}:\\d{2}$")) {
        return mjd(java.time.OffsetDateTime.parse(text).toInstant());
      }
      return mjd(LocalDateTime.parse(text).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bad " + what + " time '" + text
          + "' (expected ISO-8601 UTC such as 2023-02-25T06:00:00Z, or 2023/02/25/06:00:00)");
    }
  }

  /** ISO-8601 UTC of an MJD-seconds time, for messages and file names. */
  public static String iso(double mjdSeconds) {
    long ms = Math.round((mjdSeconds - DatasetReader.MJD_UNIX_EPOCH_S) * 1000);
    return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(ms));
  }

  private static double mjd(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9 + DatasetReader.MJD_UNIX_EPOCH_S;
  }
}
